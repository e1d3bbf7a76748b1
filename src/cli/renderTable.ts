/** Renders rows as a plain-text table for the terminal, truncating long values. */
export function renderTable(columns: string[], rows: Array<Record<string, unknown>>, maxWidth = 24): string {
  const cell = (v: unknown): string => {
    let s =
      v === null || v === undefined
        ? '∅'
        : v instanceof Date
          ? v.toISOString()
          : typeof v === 'number' && !Number.isInteger(v)
            ? String(Number(v.toPrecision(6)))
            : String(v);
    s = s.replace(/[\r\n\t]/g, ' ');
    return s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s;
  };
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(Math.min(c.length, maxWidth), ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' │ ');
  const head = columns.map((c) => (c.length > maxWidth ? `${c.slice(0, maxWidth - 1)}…` : c));
  return [line(head), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...body.map(line)].join('\n');
}
