import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface ApiOptions {
  data?: string;
  server?: string;
  tokenFile?: string;
}

function body(data: string | undefined): string | undefined {
  if (data === undefined) return undefined;
  const text = data.startsWith('@') ? readFileSync(data.slice(1), 'utf8') : data;
  try {
    JSON.parse(text);
  } catch (e) {
    throw new SluiceError('CLI_BAD_JSON', `--data is not JSON: ${(e as Error).message}`, {
      location: { field: 'data' },
      hint: `write e.g. --data '{"comment": "ok"}' or --data @body.json`,
    });
  }
  return text;
}

/**
 * `sluice api [METHOD] PATH`: calls a Sluice server's REST API with an API token, like
 * `gh api`. The server comes from --server or $SLUICE_URL, the token from $SLUICE_TOKEN or
 * --token-file (never a command-line argument: it would show in `ps` and shell history).
 */
export function register(program: Command): void {
  program
    .command('api')
    .description('call the REST API of a (remote) Sluice server with an API token ($SLUICE_URL, $SLUICE_TOKEN)')
    .argument('<method-or-path>', 'GET, POST, PUT, DELETE, or the path (then GET)')
    .argument('[path]', 'the path, e.g. /api/executions?status=waiting')
    .option('-d, --data <json>', 'JSON body, or @file')
    .option('--server <url>', 'server base URL (default $SLUICE_URL)')
    .option('--token-file <path>', 'read the API token from this file (default $SLUICE_TOKEN)')
    .addHelpText(
      'after',
      `
Examples:
  export SLUICE_URL=https://sluice.example.org SLUICE_TOKEN=sluice_...
  sluice api /api/approvals
  sluice api POST /api/executions/ex-123/approve --data '{"comment": "looks right"}'
  sluice api POST /models/readmission/rollback --data '{"comment": "p99 regression"}'`,
    )
    .action(async (first: string, second: string | undefined, o: ApiOptions) => {
      const method = second !== undefined ? first.toUpperCase() : o.data !== undefined ? 'POST' : 'GET';
      const path = second ?? first;
      if (!METHODS.includes(method)) throw new SluiceError('CLI_BAD_METHOD', `"${first}" is not an HTTP method`, { hint: `use one of ${METHODS.join(', ')}` });
      if (!path.startsWith('/')) throw new SluiceError('CLI_BAD_PATH', `"${path}" is not a path`, { hint: 'start it with /, e.g. /api/executions' });
      const server = o.server ?? process.env.SLUICE_URL;
      if (!server) throw new SluiceError('CLI_NO_SERVER', 'which server? none was given', { hint: 'set SLUICE_URL=https://host:port or pass --server' });
      const token = (o.tokenFile ? readFileSync(o.tokenFile, 'utf8') : (process.env.SLUICE_TOKEN ?? '')).trim();
      let url: URL;
      try {
        url = new URL(path, server);
      } catch {
        throw new SluiceError('CLI_BAD_SERVER', `"${server}" is not a URL`, { hint: 'write e.g. http://127.0.0.1:7300' });
      }
      const payload = body(o.data);
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(payload !== undefined ? { body: payload } : {}),
          redirect: 'manual',
        });
      } catch (e) {
        throw new SluiceError('SERVER_UNREACHABLE', `cannot reach ${url.origin}: ${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`, {
          hint: 'check SLUICE_URL and that `sluice serve` runs there',
        });
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (!res.ok) {
        const err = ((json as { error?: unknown })?.error ?? json) as { code?: string; message?: string; hint?: string } | undefined;
        throw new SluiceError(err?.code ?? `HTTP_${res.status}`, `${method} ${url.pathname}: ${res.status} ${err?.message ?? res.statusText}`, {
          hint: err?.hint ?? (res.status === 401 ? 'set SLUICE_TOKEN to a token from `sluice tokens create --user NAME` on the server' : 'see docs/auth.md'),
        });
      }
      if (text) process.stdout.write(json !== undefined ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
    });
}
