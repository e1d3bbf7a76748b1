/** The champion-alias events of one model, oldest first, as the history table records them. */
export interface ChampionEvent {
  kind: 'alias' | 'rollback' | 'alias_removed';
  version: number | null;
}

/**
 * Replays the champion's history into a stack of versions: a promotion pushes, a rollback pops,
 * removing the alias clears. The top is the serving champion; below it are the champions it
 * replaced, newest first. Replaying (instead of "the previous distinct value") makes repeated
 * rollbacks walk further back rather than toggle between two versions.
 */
export function championStack(events: readonly ChampionEvent[]): number[] {
  let stack: number[] = [];
  for (const e of events) {
    if (e.kind === 'alias' && e.version !== null) stack.push(e.version);
    else if (e.kind === 'rollback') {
      stack.pop();
      // A rollback records the version it restored; resync if the log says otherwise.
      if (e.version !== null && stack[stack.length - 1] !== e.version) stack.push(e.version);
    } else if (e.kind === 'alias_removed') stack = [];
  }
  return stack;
}
