import { SluiceError } from '../../core/errors.js';

/**
 * Parses CSV text (RFC 4180: `,` separated, `"` quoted with `""` escapes, LF or CRLF line ends)
 * into rows of strings. Blank lines are skipped. Every row must have as many fields as the
 * first; an unterminated quote or a ragged row is a located SluiceError (line, column).
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let line = 1;
  let rowLine = 1;
  const n = text.length;
  let quotedField = false;
  const addRow = (cells: string[], quoted: boolean): void => {
    // A blank line is one empty unquoted field: skip it.
    if (!(cells.length === 1 && cells[0] === '' && !quoted)) {
      const width = rows[0]?.length;
      if (width !== undefined && cells.length !== width) {
        throw new SluiceError('INVOCATION_BAD_CSV', `CSV line ${rowLine} has ${cells.length} fields, the first line has ${width}`, {
          location: { line: rowLine, record: rows.length },
          hint: 'check for a missing or extra comma, or a comma inside an unquoted value',
        });
      }
      rows.push(cells);
    }
  };
  const endRow = (): void => {
    row.push(field);
    field = '';
    addRow(row, quotedField);
    row = [];
    quotedField = false;
  };
  // The next line feed, carriage return and quote at or after i (-1: none left; -2: not looked for yet).
  let nextLf = -2;
  let nextCr = -2;
  let nextQuote = -2;
  while (i < n) {
    if (row.length === 0 && field === '' && !quotedField) {
      // A line without a quote is its text split at the commas (the usual line: one native split
      // instead of a step per character); a line with a quote takes the loop below.
      if (nextLf !== -1 && nextLf < i) nextLf = text.indexOf('\n', i);
      if (nextCr !== -1 && nextCr < i) nextCr = text.indexOf('\r', i);
      if (nextQuote !== -1 && nextQuote < i) nextQuote = text.indexOf('"', i);
      const end = nextLf === -1 ? (nextCr === -1 ? n : nextCr) : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (nextQuote === -1 || nextQuote >= end) {
        addRow(text.slice(i, end).split(','), false);
        i = end;
        if (i < n) {
          if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i++;
          i++;
          line++;
          rowLine = line;
        }
        continue;
      }
    }
    const c = text.charCodeAt(i);
    if (c === 34 /* " */ && field === '' && !quotedField) {
      quotedField = true;
      const start = i;
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n) {
          throw new SluiceError('INVOCATION_BAD_CSV', `unterminated quoted value starting on CSV line ${startLine}`, {
            location: { line: startLine, column: start - text.lastIndexOf('\n', start - 1) },
            hint: 'close the quote, and double any quote inside a quoted value ("")',
          });
        }
        const d = text.charCodeAt(i);
        if (d === 34) {
          if (text.charCodeAt(i + 1) === 34) {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === 10) line++;
        field += text[i];
        i++;
      }
      const after = text.charCodeAt(i);
      if (i < n && after !== 44 && after !== 10 && after !== 13) {
        throw new SluiceError('INVOCATION_BAD_CSV', `unexpected character after a closing quote on CSV line ${line}`, {
          location: { line, column: i - text.lastIndexOf('\n', i - 1) },
          hint: 'a quoted value must be followed by a comma or the end of the line; double quotes inside it ("")',
        });
      }
      continue;
    }
    if (c === 44 /* , */) {
      row.push(field);
      field = '';
      quotedField = false;
      i++;
    } else if (c === 10 || c === 13) {
      endRow();
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      i++;
      line++;
      rowLine = line;
    } else {
      // Plain run of characters up to the next delimiter: one slice instead of char appends.
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || row.length > 0 || quotedField) endRow();
  return rows;
}
