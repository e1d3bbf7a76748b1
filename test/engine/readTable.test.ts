import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError, isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { writeTable } from '../../src/engine/writeTable.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-read-'));
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function readError(path: string): Promise<SluiceError> {
  try {
    await readTable(engine, path, { name: 't' });
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError);
    // DuckDB reads the file while it is scanned: a refused file leaves no table or view behind.
    const [left] = await engine.query(
      "SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = 't') + (SELECT count(*) FROM duckdb_views() WHERE view_name = 't') AS n",
    );
    expect(left?.n).toBe(0);
    return e as SluiceError;
  }
  throw new Error(`expected ${path} to be refused`);
}

describe('readTable: good CSV', () => {
  it('detects types, handles BOM, CRLF, semicolons and quotes', async () => {
    const p = file('good.csv', '\ufeffid;name;score;when\r\n1;"Smith; John";2.5;2024-01-02\r\n2;"say ""hi""";;2024-02-03\r\n');
    const info = await readTable(engine, p, { name: 'good' });
    expect(info.rows).toBe(2);
    expect(info.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['name', 'string'],
      ['score', 'float'],
      ['when', 'date'],
    ]);
    const rows = await engine.query('SELECT * FROM good ORDER BY id');
    expect(rows[0]).toMatchObject({ id: 1, name: 'Smith; John', score: 2.5 });
    expect(rows[1]).toMatchObject({ id: 2, name: 'say "hi"', score: null });
  });

  it('re-detects types when a late row breaks the guessed type', async () => {
    const lines = ['a,b'];
    for (let i = 0; i < 30000; i++) lines.push(`${i},x`);
    lines.push('oops,y');
    const info = await readTable(engine, file('late.csv', lines.join('\n') + '\n'), { name: 'late' });
    expect(info.rows).toBe(30001);
    expect(info.columns[0]?.type).toBe('string');
  });

  it('reads the seed data set with its 16 columns and 69,570 rows', async () => {
    const info = await readTable(engine, 'examples/diabetes/diabetic-readmission.csv', { name: 'seed' });
    expect(info.rows).toBe(69570);
    expect(info.columns).toHaveLength(16);
    expect(info.columns.find((c) => c.name === 'readmitted')?.type).toBe('string');
    expect(info.columns.find((c) => c.name === 'num_lab_procedures')?.type).toBe('integer');
  });

  it('reads a file of several 2 MB buffers (parsed by several threads) whole and in order, a line of 1.5 MB across a buffer boundary included', async () => {
    const lines = ['i,note,x'];
    for (let i = 0; i < 120_000; i++) lines.push(i === 60_000 ? `${i},"${'long, "" text '.repeat(110_000)}",${i * 0.5}` : `${i},n${i % 7},${i * 0.5}`);
    const p = file('buffers.csv', lines.join('\n') + '\n');
    const info = await readTable(engine, p, { name: 'buffers' });
    expect(info.rows).toBe(120_000);
    const [{ ordered, long } = {}] = await engine.query(
      `SELECT count(*) FILTER (WHERE i = rn - 1 AND x = i * 0.5) AS ordered, max(length(note)) AS long FROM (SELECT *, row_number() OVER () AS rn FROM buffers)`,
    );
    expect(Number(ordered)).toBe(120_000);
    expect(Number(long)).toBe('long, " text '.length * 110_000);
  });
});

describe('readTable: bad input gets a located error with a hint', () => {
  const cases: Array<[string, string | Buffer, string, number | undefined, number | undefined]> = [
    ['empty.csv', '', 'CSV_EMPTY', 1, 1],
    ['header.csv', 'a,b,c\n', 'CSV_NO_ROWS', undefined, undefined],
    ['ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n', 'CSV_RAGGED_ROW', 3, 2],
    ['ragged-long.csv', 'a,b\n1,2\n3,4,5\n', 'CSV_RAGGED_ROW', 3, 3],
    ['quote.csv', 'a,b,c\n1,"2,3\n4,5,6\n7,8,9\n', 'CSV_UNBALANCED_QUOTE', 2, 3],
    ['junk.csv', 'a,b\n"x"y,2\n', 'CSV_BAD_QUOTE', 2, 4],
    ['latin1.csv', Buffer.concat([Buffer.from('name,city\nana,'), Buffer.from([0x4d, 0xfc, 0x6e]), Buffer.from('chen\n')]), 'CSV_NOT_UTF8', 2, 6],
    ['utf16.csv', Buffer.from('\ufeffa,b\n1,2\n', 'utf16le'), 'CSV_NOT_UTF8', 1, 1],
    ['binary.csv', Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256)), 'CSV_BINARY', 1, 1],
    ['nul.csv', Buffer.from('a,b\n1,2\n3,\u00004\n'), 'CSV_BINARY', 3, 3],
    ['dup.csv', 'a,b,a\n1,2,3\n', 'CSV_DUPLICATE_COLUMN', 1, 3],
  ];
  for (const [name, content, code, line, column] of cases) {
    it(`${name} -> ${code}`, async () => {
      const err = await readError(file(name, content));
      expect(err.code).toBe(code);
      expect(err.location?.file).toContain(name);
      if (line !== undefined) expect(err.location?.line).toBe(line);
      if (column !== undefined) expect(err.location?.column).toBe(column);
      expect(err.hint).toBeTruthy();
      expect(err.message).toContain(name);
    });
  }

  it('a missing file is FILE_NOT_FOUND', async () => {
    expect((await readError(join(dir, 'nope.csv'))).code).toBe('FILE_NOT_FOUND');
  });

  it('malformed JSON lines point at the bad line', async () => {
    const err = await readError(file('bad.jsonl', '{"a":1}\n{"a":2}\n{"a":3,\n{"a":4}\n'));
    expect(err.code).toBe('JSON_MALFORMED');
    expect(err.location?.line).toBe(3);
  });

  it('a file that is not Parquet says so', async () => {
    const err = await readError(file('bad.parquet', 'a,b\n1,2\n'));
    expect(err.code).toBe('PARQUET_INVALID');
  });
});

describe('Parquet and JSON lines round trip, atomic writes', () => {
  it('writes Parquet and CSV and reads them back', async () => {
    await readTable(engine, file('rt.csv', 'k,v\nx,1\ny,2\n'), { name: 'rt' });
    const pq = join(dir, 'out', 'rt.parquet');
    await writeTable(engine, 'rt', pq);
    const back = await readTable(engine, pq, { name: 'rt2' });
    expect(back.rows).toBe(2);
    const csv = join(dir, 'out', 'rt.csv');
    await writeTable(engine, 'SELECT k, v * 10 AS v FROM rt', csv);
    await readTable(engine, csv, { name: 'rt3' });
    expect(await engine.query('SELECT v FROM rt3 ORDER BY k')).toEqual([{ v: 10 }, { v: 20 }]);
    const jl = await readTable(engine, file('rt.jsonl', '{"k":"x","v":1}\n{"k":"y","v":2.5}\n'), { name: 'rt4' });
    expect(jl.columns.map((c) => c.type)).toEqual(['string', 'float']);
  });

  it('a failed write leaves no partial or temporary file', async () => {
    const out = join(dir, 'fail', 'x.parquet');
    await expect(writeTable(engine, "SELECT 1/0::INTEGER AS a, error('boom') AS b", out)).rejects.toThrow();
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(dir, 'fail'))).toEqual([]);
  });
});

describe('CSV structure (issue 12)', () => {
  it('detects the delimiter reading quotes: a | inside a quoted header or value is not the delimiter', async () => {
    const engine = await Engine.open();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-delim-'));
      const header = join(dir, 'header.csv');
      writeFileSync(header, 'id,value,"a|b|c|d"\n1,2,x\n3,4,"p|q"\n');
      const info = await readTable(engine, header, { name: 'h' });
      expect(info.columns.map((c) => c.name)).toEqual(['id', 'value', 'a|b|c|d']);
      expect(info.rows).toBe(2);
      const rows = join(dir, 'rows.csv');
      writeFileSync(rows, 'id;name\n1;"a,b,c,d,e"\n2;"f,g,h,i"\n');
      const info2 = await readTable(engine, rows, { name: 'r' });
      expect(info2.columns.map((c) => c.name)).toEqual(['id', 'name']);
      expect((await engine.query('SELECT name FROM r ORDER BY id')).map((r) => r.name)).toEqual(['a,b,c,d,e', 'f,g,h,i']);
    } finally {
      engine.close();
    }
  });

  it('lists up to the first 10 bad lines of a ragged file', async () => {
    const engine = await Engine.open();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-ragged-'));
      const few = join(dir, 'few.csv');
      writeFileSync(few, 'a,b,c\n1,2,3\n4,5\n6,7,8\n9\n10,11,12,13\n');
      const e1 = await readTable(engine, few, { name: 'f' }).catch((e: unknown) => e);
      expect(isSluiceError(e1) && e1.code).toBe('CSV_RAGGED_ROW');
      expect((e1 as Error).message).toContain('line 3 has 2 fields, line 5 has 1 field, line 6 has 4 fields');
      expect((e1 as { location: unknown }).location).toMatchObject({ line: 3 });
      expect((e1 as { details: { badLines: unknown[] } }).details.badLines).toHaveLength(3);
      const many = join(dir, 'many.csv');
      writeFileSync(many, 'a,b\n' + Array.from({ length: 30 }, (_, i) => (i % 2 ? '1,2' : '1')).join('\n') + '\n');
      const e2 = await readTable(engine, many, { name: 'm' }).catch((e: unknown) => e);
      const bad = (e2 as { details: { badLines: Array<{ line: number }> } }).details.badLines;
      expect(bad.map((b) => b.line)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
      expect((e2 as Error).message).toContain('the first 10 lines');
    } finally {
      engine.close();
    }
  });
});

describe('readTable: a column named __proto__', () => {
  it('is refused with the file and the column named (a plain object would lose its values), in CSV and JSON lines', async () => {
    const csv = await readError(file('proto.csv', 'a,__proto__\n1,2\n3,4\n'));
    expect(csv.code).toBe('DATA_COLUMN_NAME');
    expect(csv.message).toContain('proto.csv');
    expect(csv.location).toMatchObject({ field: '__proto__' });
    expect(csv.hint).toContain('rename');
    const json = await readError(file('proto.jsonl', '{"a":1,"__proto__":2}\n'));
    expect(json.code).toBe('DATA_COLUMN_NAME');
  });

  it('reads constructor and toString as any other names', async () => {
    const t = await readTable(engine, file('members.csv', 'constructor,toString\n1,x\n'), { name: 'members' });
    expect(t.columns.map((c) => [c.name, c.type])).toEqual([
      ['constructor', 'integer'],
      ['toString', 'string'],
    ]);
  });
});
