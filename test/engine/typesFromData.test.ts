import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_FORMATS, dateFormat, parseDateText } from '../../src/core/dateFormats.js';
import { dateFromTextSql } from '../../src/engine/dateSql.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { quoteLiteral } from '../../src/engine/sql.js';
import { tempDir } from '../support/data.js';

let engine: Engine;
const dir = tempDir('sluice-types-');
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function types(path: string, options: Parameters<typeof readTable>[2] = { name: 't' }) {
  const info = await readTable(engine, path, options);
  return Object.fromEntries(info.columns.map((c) => [c.name, c.format ? `${c.type} ${c.format}` : c.type]));
}

describe('types from data, not from one value (issue 12, point 5)', () => {
  it('types a column boolean only when it is recognisably boolean', async () => {
    const path = csv('bool.csv', 'only_no,yes_no,words,one_true,zero_one,y_n\nno,yes,true,true,0,y\nno,no,False,true,1,n\nno,yes,TRUE,,1,y\n');
    expect(await types(path)).toEqual({ only_no: 'string', yes_no: 'boolean', words: 'boolean', one_true: 'boolean', zero_one: 'integer', y_n: 'string' });
    const rows = await engine.query('SELECT only_no, yes_no, words FROM t');
    expect(rows).toEqual([
      { only_no: 'no', yes_no: true, words: true },
      { only_no: 'no', yes_no: false, words: false },
      { only_no: 'no', yes_no: true, words: true },
    ]);
  });

  it('keeps a column text when one value does not fit: nothing becomes missing by a guess', async () => {
    const path = csv('mixed.csv', 'answer,when\nyes,Jun 12 1998\nno,Jul 1 2000\nmaybe,someday\n');
    expect(await types(path)).toEqual({ answer: 'string', when: 'string' });
    expect((await engine.query('SELECT answer, "when" FROM t')).map((r) => `${String(r.answer)}|${String(r.when)}`)).toEqual([
      'yes|Jun 12 1998',
      'no|Jul 1 2000',
      'maybe|someday',
    ]);
  });

  it('recognises dates written as text, and records the format', async () => {
    const path = csv(
      'dates.csv',
      'a,b,c,iso,numeric\nJun 12 1998,12 June 1998,12-Jun-1998,1998-06-12,12/06/1998\n"Sept 3, 2001",3 Sep 2001,3-sep-2001,2001-09-03,03/09/2001\n',
    );
    expect(await types(path)).toEqual({ a: 'date mon d yyyy', b: 'date d mon yyyy', c: 'date d-mon-yyyy', iso: 'date', numeric: 'string' });
    const [row] = await engine.query("SELECT strftime(a, '%Y-%m-%d') AS a, strftime(b, '%Y-%m-%d') AS b, strftime(c, '%Y-%m-%d') AS c FROM t LIMIT 1");
    expect(row).toEqual({ a: '1998-06-12', b: '1998-06-12', c: '1998-06-12' });
  });

  it('reads 12/06/1998 by the stated day/month order only', async () => {
    const path = csv('order.csv', 'd\n12/06/1998\n01/02/2003\n');
    expect(await types(path)).toEqual({ d: 'string' });
    expect(await types(path, { name: 't', recognise: { dateOrder: 'dmy' } })).toEqual({ d: 'date dd/mm/yyyy' });
    expect((await engine.query("SELECT strftime(d, '%Y-%m-%d') AS d FROM t")).map((r) => r.d)).toEqual(['1998-06-12', '2003-02-01']);
    expect(await types(path, { name: 't', recognise: { dateOrder: 'mdy' } })).toEqual({ d: 'date mm/dd/yyyy' });
    expect((await engine.query("SELECT strftime(d, '%Y-%m-%d') AS d FROM t")).map((r) => r.d)).toEqual(['1998-12-06', '2003-01-02']);
    // a day that does not exist in the stated order keeps the column text
    const bad = csv('order-bad.csv', 'd\n12/06/1998\n06/13/1998\n');
    expect(await types(bad, { name: 't', recognise: { dateOrder: 'dmy' } })).toEqual({ d: 'string' });
  });

  it('applies the same rules to JSON lines, and leaves text as text when asked (prediction)', async () => {
    const path = join(dir, 'rows.jsonl');
    writeFileSync(path, '{"d":"Jun 12 1998","b":"yes"}\n{"d":"Jul 1 2000","b":"no"}\n');
    expect(await types(path)).toEqual({ d: 'date mon d yyyy', b: 'boolean' });
    expect(await types(path, { name: 't', recognise: false })).toEqual({ d: 'string', b: 'string' });
  });

  it('reads a date the same in JavaScript (records) and in SQL (batches), for every format', async () => {
    const samples = [
      'Jun 12 1998',
      'june 12, 1998',
      'JUN. 1 1998',
      'Sept 30 2001',
      'Sep 31 2001',
      '12 June 1998',
      '1-Feb-2000',
      '29-Feb-2001',
      '2000/2/29',
      '12/06/1998',
      '31/12/1999',
      '12.06.1998',
      '12-06-1998',
      '13/13/2000',
      'Junk 12 1998',
      ' Jun 12 1998 ',
      '99/1/1',
    ];
    for (const f of DATE_FORMATS) {
      const sql = samples.map((s) => `strftime(${dateFromTextSql(quoteLiteral(s), f)}, '%Y-%m-%d')`).join(', ');
      const [row = {}] = await engine.query(`SELECT [${sql}] AS v`);
      expect(row.v, f.id).toEqual(samples.map((s) => parseDateText(s, f)));
    }
    expect(parseDateText('Jun 12 1998', dateFormat('mon d yyyy')!)).toBe('1998-06-12');
    expect(parseDateText('Feb 29 2001', dateFormat('mon d yyyy')!)).toBeNull();
  });
});
