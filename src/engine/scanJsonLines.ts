import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { SluiceError } from '../core/errors.js';

/**
 * Parses a JSON-lines file line by line to find the first bad line, so an error can point at
 * it. Called only after DuckDB refused the file: the fast path never pays for it.
 */
export async function scanJsonLines(path: string, file: string): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.includes('\u0000')) {
      throw new SluiceError('JSON_BINARY', `${file} contains binary data on line ${n}`, {
        location: { file, line: n },
        hint: 'check that this is a JSON lines text file',
      });
    }
    if (line.includes('\ufffd')) {
      throw new SluiceError('JSON_NOT_UTF8', `${file} is not valid UTF-8 text (line ${n})`, {
        location: { file, line: n, column: line.indexOf('\ufffd') + 1 },
        hint: 'convert the file to UTF-8',
      });
    }
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      const pos = /position (\d+)/.exec(String(e));
      throw new SluiceError('JSON_MALFORMED', `${file}: line ${n} is not valid JSON (${(e as Error).message})`, {
        location: { file, line: n, column: pos ? Number(pos[1]) + 1 : undefined },
        hint: 'each line must hold one complete JSON object; a value may not span lines',
      });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SluiceError('JSON_NOT_OBJECT', `${file}: line ${n} is not a JSON object`, {
        location: { file, line: n, column: 1 },
        hint: 'each line must be an object such as {"col": 1}',
      });
    }
  }
  if (n === 0) throw new SluiceError('JSON_EMPTY', `${file} is empty`, { location: { file, line: 1 }, hint: 'check that the export finished' });
}
