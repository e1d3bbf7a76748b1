import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/server/endpoint/parseCsv.js';

/** RFC 4180 read one character at a time: the reference the parser's line-at-a-time path must match. */
function reference(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const end = (): void => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '' && !quoted)) rows.push(row);
    row = [];
    field = '';
    quoted = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '' && !quoted) {
      quoted = true;
      i++;
      for (;;) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i];
        i++;
      }
    } else if (c === ',') {
      row.push(field);
      field = '';
      quoted = false;
      i++;
    } else if (c === '\n' || c === '\r') {
      end();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0 || quoted) end();
  return rows;
}

/** A random well-formed CSV of `width` columns: plain and quoted cells, LF, CRLF and CR line ends, blank lines. */
function randomCsv(seed: number, width: number, lines: number): string {
  let s = seed;
  const rand = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
  const cell = (): string => {
    const k = rand(8);
    if (k === 0) return '';
    if (k === 1) return `"a,b""c${rand(9)}"`;
    if (k === 2) return `"line\nbreak"`;
    if (k === 3) return 'x"y';
    return String(rand(1000));
  };
  const ends = ['\n', '\r\n', '\r'];
  let out = '';
  for (let l = 0; l < lines; l++) {
    if (rand(10) === 0) out += ends[rand(3)];
    out += Array.from({ length: width }, cell).join(',') + ends[rand(3)]!;
  }
  return rand(2) === 0 ? out : out.replace(/[\r\n]+$/, '');
}

describe('parseCsv', () => {
  it('reads lines with and without quotes as the character-by-character reference does', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const text = randomCsv(seed, 1 + (seed % 5), 1 + (seed % 40));
      expect(parseCsv(text), `seed ${seed}`).toEqual(reference(text));
    }
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('\n\r\n,\n')).toEqual([['', '']]);
  });

  it('names the line of a ragged row, on quoted and unquoted lines', () => {
    expect(() => parseCsv('a,b\n1,2\r\n\n3\n')).toThrow(/CSV line 4 has 1 fields, the first line has 2/);
    expect(() => parseCsv('a,b\n"x\ny",2\n1,2,3\n')).toThrow(/CSV line 4 has 3 fields/);
    expect(() => parseCsv('a,b\n"1,2\n')).toThrow(/unterminated quoted value starting on CSV line 2/);
  });
});
