import { SluiceError } from '../core/errors.js';
import type { StateStoreConfig } from '../core/stateStoreConfig.js';
import { redactUrl } from './redactUrl.js';

/** Where a project's shared state lives, resolved: the SQLite file, or a PostgreSQL URL. */
export type StateSettings =
  | { type: 'sqlite'; path: string }
  | { type: 'postgres'; url: string; pool?: number | undefined; from: 'SLUICE_DATABASE_URL' | 'stores.state.url' };

/**
 * Chooses the state backend: `SLUICE_DATABASE_URL` when set (as Airflow's environment overrides
 * its config file, so one image serves every environment), else sluice.yaml `stores.state`, else
 * the project's SQLite file. `${NAME}` in the URL is replaced by the environment variable NAME;
 * one that is not set is a clear error naming the setting, never a connection attempt with a
 * hole in it. Messages show URLs without their password.
 *
 * @example
 * stateSettings({ type: 'postgres', url: `postgres://sluice:\${PGPASSWORD}@db/sluice` }, '.sluice/sluice.db', 'sluice.yaml')
 */
export function stateSettings(
  config: StateStoreConfig | undefined,
  sqlitePath: string,
  configFile: string,
  env: NodeJS.ProcessEnv = process.env,
): StateSettings {
  const fromEnv = env.SLUICE_DATABASE_URL?.trim();
  if (fromEnv)
    return { type: 'postgres', url: checkedUrl(fromEnv, 'SLUICE_DATABASE_URL', 'the environment variable SLUICE_DATABASE_URL'), from: 'SLUICE_DATABASE_URL' };
  if (!config || config.type === 'sqlite') return { type: 'sqlite', path: sqlitePath };
  const url = expandEnv(config.url, env, configFile);
  return { type: 'postgres', url: checkedUrl(url, 'stores.state.url', configFile), pool: config.pool, from: 'stores.state.url' };
}

/** `${NAME}` replaced by the variable; inside a URL the value is percent-encoded (a password may hold `@` or `/`). */
function expandEnv(text: string, env: NodeJS.ProcessEnv, configFile: string): string {
  const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.test(text.trim());
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new SluiceError('CONFIG_ENV_MISSING', `stores.state.url uses \${${name}}, but the environment variable ${name} is not set`, {
        location: { file: configFile, field: 'stores.state.url' },
        hint: `export ${name}=... before starting Sluice, or write the value in the URL`,
      });
    }
    return whole ? value : encodeURIComponent(value);
  });
}

function checkedUrl(url: string, field: string, where: string): string {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')) {
    throw new SluiceError('CONFIG_STATE_URL', `${field} is not a PostgreSQL URL: ${redactUrl(url)}`, {
      location: { file: where, field },
      hint: `write it as postgres://user:password@host:5432/database (the password may come from \${NAME}, an environment variable)`,
    });
  }
  return url;
}
