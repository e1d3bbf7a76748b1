import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The version in Sluice's package.json (src/ and dist/ both sit one level below it). */
export function sluiceVersion(): string {
  if (cached === undefined) {
    try {
      cached = String((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown');
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
