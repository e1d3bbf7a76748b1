import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/core/config.js';
import { postgresPlaceholders } from '../../src/state/postgresPlaceholders.js';
import { redactUrl } from '../../src/state/redactUrl.js';
import { stateSettings } from '../../src/state/stateSettings.js';

const DB = '/p/.sluice/sluice.db';
const FILE = '/p/sluice.yaml';

describe('choosing the state backend (stores.state, SLUICE_DATABASE_URL)', () => {
  it('is the project SQLite file by default and with { type: sqlite }', () => {
    expect(stateSettings(undefined, DB, FILE, {})).toEqual({ type: 'sqlite', path: DB });
    expect(stateSettings({ type: 'sqlite' }, DB, FILE, {})).toEqual({ type: 'sqlite', path: DB });
    expect(configSchema.parse({}).stores.state).toBeUndefined();
  });

  it(`takes PostgreSQL from sluice.yaml, replacing \${NAME} by the environment variable (percent-encoded inside the URL)`, () => {
    const config = configSchema.parse({ stores: { state: { type: 'postgres', url: `postgres://sluice:\${PGPASS}@db:5432/sluice`, pool: 4 } } });
    expect(stateSettings(config.stores.state, DB, FILE, { PGPASS: 'p@ss/w' })).toEqual({
      type: 'postgres',
      url: 'postgres://sluice:p%40ss%2Fw@db:5432/sluice',
      pool: 4,
      from: 'stores.state.url',
    });
    expect(stateSettings({ type: 'postgres', url: `\${DATABASE_URL}` }, DB, FILE, { DATABASE_URL: 'postgresql://a@h/d' })).toMatchObject({
      url: 'postgresql://a@h/d',
    });
  });

  it('lets SLUICE_DATABASE_URL win over sluice.yaml', () => {
    expect(stateSettings({ type: 'sqlite' }, DB, FILE, { SLUICE_DATABASE_URL: 'postgres://x@h/d' })).toEqual({
      type: 'postgres',
      url: 'postgres://x@h/d',
      from: 'SLUICE_DATABASE_URL',
    });
  });

  it(`refuses a \${NAME} that is not set, naming the setting and the variable`, () => {
    const e = (() => {
      try {
        return stateSettings({ type: 'postgres', url: `postgres://u:\${NOPE}@h/d` }, DB, FILE, {});
      } catch (x) {
        return x;
      }
    })();
    expect(e).toMatchObject({ code: 'CONFIG_ENV_MISSING', location: { file: FILE, field: 'stores.state.url' } });
    expect((e as Error).message).toContain('NOPE');
  });

  it('refuses a URL that is not PostgreSQL without printing its password', () => {
    for (const [url, env] of [
      ['mysql://u:hunter2@h/d', {}],
      ['not a url hunter2', {}],
    ] as const) {
      const e = (() => {
        try {
          return stateSettings({ type: 'postgres', url }, DB, FILE, env);
        } catch (x) {
          return x;
        }
      })();
      expect(e).toMatchObject({ code: 'CONFIG_STATE_URL' });
      expect((e as Error).message).not.toContain('hunter2');
    }
    expect(() => stateSettings(undefined, DB, FILE, { SLUICE_DATABASE_URL: 'http://u:hunter2@h' })).toThrow(
      /SLUICE_DATABASE_URL is not a PostgreSQL URL: http:\/\/u:\*\*\*@h/,
    );
  });

  it('rejects unknown types and a postgres store without url in sluice.yaml', () => {
    expect(configSchema.safeParse({ stores: { state: { type: 'mysql' } } }).success).toBe(false);
    expect(configSchema.safeParse({ stores: { state: { type: 'postgres' } } }).success).toBe(false);
    expect(configSchema.safeParse({ stores: { state: { type: 'sqlite', url: 'x' } } }).success).toBe(false);
  });
});

describe('SQL written once', () => {
  it('numbers ? placeholders for PostgreSQL, not inside literals, quoted names or comments', () => {
    expect(postgresPlaceholders("SELECT \"a?\" FROM t WHERE x = ? AND y = 'it''s ?' -- what?\n AND z IN (?, ?) /* ? */")).toBe(
      "SELECT \"a?\" FROM t WHERE x = $1 AND y = 'it''s ?' -- what?\n AND z IN ($2, $3) /* ? */",
    );
  });

  it('hides passwords in URLs it shows', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/sluice')).toBe('postgres://app:***@db:5432/sluice');
    expect(redactUrl('postgres://app@db/sluice')).toBe('postgres://app@db/sluice');
    expect(redactUrl('garbage s3cret')).not.toContain('s3cret');
  });
});
