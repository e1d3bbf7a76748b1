/**
 * What batch prediction did to one cell or row, for `--errors FILE`: a value that could not be
 * read as its column's type and was read as missing, or a record that could not be scored.
 */
export interface PredictionNote {
  /** The line of the data file the record starts on (CSV), else its 1-based row number. */
  line: number;
  /** 0-based row of the record among the data rows. */
  row: number;
  column: string;
  value: string;
  action: 'read as missing' | 'not scored';
  detail?: string;
}

/** The notes as CSV: `line,column,value,action,detail`, one per note, in row order. */
export function notesCsv(notes: readonly PredictionNote[]): string {
  const cell = (v: string | number | undefined): string => {
    const s = v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = ['line,column,value,action,detail', ...notes.map((n) => [n.line, n.column, n.value, n.action, n.detail].map(cell).join(','))];
  return lines.join('\n') + '\n';
}

/** A one-line summary for the terminal: `6 values read as missing (time_in_hospital: 6); 2 rows not scored`. */
export function notesSummary(notes: readonly PredictionNote[]): string {
  const byColumn = new Map<string, number>();
  let notScored = 0;
  for (const n of notes) {
    if (n.action === 'not scored') notScored++;
    else byColumn.set(n.column, (byColumn.get(n.column) ?? 0) + 1);
  }
  const read = [...byColumn.values()].reduce((a, b) => a + b, 0);
  const parts: string[] = [];
  if (read > 0) parts.push(`${read} value${read === 1 ? '' : 's'} read as missing (${[...byColumn].map(([c, k]) => `${c}: ${k}`).join(', ')})`);
  if (notScored > 0) parts.push(`${notScored} row${notScored === 1 ? '' : 's'} not scored`);
  return parts.join('; ');
}
