/**
 * A first-come, first-served lock for async code in one process: `run(fn)` starts `fn` once every
 * earlier `run` has settled. The SQLite state driver holds it for a whole transaction, so no other
 * async caller's statement lands inside someone else's open transaction on the shared connection.
 *
 * @example
 * const m = new AsyncMutex();
 * await m.run(async () => { await step1(); await step2(); }); // nobody else runs in between
 */
export class AsyncMutex {
  private tail: Promise<unknown> = Promise.resolve();
  private holders = 0;

  /** True while a `run` is in progress or waiting. */
  get locked(): boolean {
    return this.holders > 0;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.holders++;
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => this.holders--,
      () => this.holders--,
    );
    return result;
  }
}
