import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { createObjectStore } from '../../src/storage/createObjectStore.js';
import { OBJECT_STORE_BACKENDS } from '../../src/storage/objectStoreBackends.js';
import { objectStoreSettings } from '../../src/storage/objectStoreSettings.js';
import { parseOfflineOption } from '../../src/features/offline/parseOfflineOption.js';

/**
 * An object-store backend is declared once (docs/architecture.md, "Adding an object store
 * backend": its file, one entry in OBJECT_STORE_BACKENDS, its conformance test file). These tests
 * hold the rest to that: settings and opening take every backend from the list, and each backend
 * of the list has its conformance test file.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const options = { at: (p: string) => join(ROOT, p), localPath: false, defaultPrefix: 'reports' };

function refusal(f: () => unknown): { code: string; field?: string; hint?: string } {
  try {
    f();
  } catch (e) {
    if (isSluiceError(e)) return { code: e.code, field: e.location?.field, hint: e.hint };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('object-store backends: each declared once', () => {
  it('each backend of the list has a conformance test file that opens it through the list (createObjectStore)', () => {
    const types = OBJECT_STORE_BACKENDS.map((b) => b.type);
    expect(new Set(types).size).toBe(types.length);
    for (const type of types) {
      const file = join(ROOT, 'test', 'storage', `objectStore.${type}.test.ts`);
      expect(existsSync(file), `test/storage/objectStore.${type}.test.ts`).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text, type).toContain('runObjectStoreConformance(');
      expect(text, type).toContain('createObjectStore(');
      expect(text, type).toMatch(new RegExp(`type: '${type}'`));
    }
  });

  it("sluice.yaml's stores entries know every type of the list, and an unknown one is refused naming them all", () => {
    for (const b of OBJECT_STORE_BACKENDS) {
      let code: string | undefined;
      try {
        objectStoreSettings('stores.reports', { type: b.type }, options);
      } catch (e) {
        code = isSluiceError(e) ? e.code : 'not a SluiceError';
      }
      // Known: either it needs no field, or it says which field it needs; never "not an object store".
      expect(code === undefined || code === 'CONFIG_INVALID', b.type).toBe(true);
    }
    const unknown = refusal(() => objectStoreSettings('stores.reports', { type: 'gcs' }, options));
    expect(unknown).toMatchObject({ code: 'OBJECT_STORE_UNKNOWN', field: 'stores.reports.type' });
    for (const b of OBJECT_STORE_BACKENDS) expect(unknown.hint).toContain(b.type);
  });

  it("a field a backend does not take is refused at its path, naming the backend's fields", () => {
    const local = refusal(() => objectStoreSettings('stores.reports', { type: 'local', bucket: 'x' }, options));
    expect(local).toMatchObject({ code: 'CONFIG_INVALID', field: 'stores.reports.bucket' });
    expect(local.hint).toMatch(/stateDir/);
    const offlineLocal = refusal(() => objectStoreSettings('stores.offline', { type: 'local', url: 'http://x' }, { ...options, localPath: true }));
    expect(offlineLocal).toMatchObject({ field: 'stores.offline.url', hint: 'a local store takes: path' });
    const s3 = refusal(() => objectStoreSettings('stores.reports', { type: 's3', bucket: 'team-sluice', path: 'x' }, options));
    expect(s3).toMatchObject({ code: 'CONFIG_INVALID', field: 'stores.reports.path', hint: 'a s3 store takes: bucket, prefix, url' });
  });

  it("the settings of each backend open a store of its type, without connecting (createObjectStore's dispatch is the list)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-backends-'));
    for (const b of OBJECT_STORE_BACKENDS) {
      expect(b.example.type).toBe(b.type);
      const store = createObjectStore(objectStoreSettings('stores.reports', b.example, options), {
        defaultRoot: join(dir, 'root'),
        cacheDir: join(dir, 'cache'),
      });
      expect(store.type).toBe(b.type);
      expect(store.describe('a/b.json')).toMatch(/a\/b\.json/);
      await store.close();
    }
  });

  it("the CLI's --offline TYPE://bucket/prefix goes through the same backends and checks", () => {
    expect(parseOfflineOption('s3://team-sluice/proj/offline', 'http://127.0.0.1:9000')).toMatchObject({
      type: 's3',
      bucket: 'team-sluice',
      prefix: 'proj/offline',
      endpoint: 'http://127.0.0.1:9000',
    });
    expect(parseOfflineOption(undefined)).toEqual({ type: 'local' });
    expect(refusal(() => parseOfflineOption('gcs://b/p'))).toMatchObject({ code: 'OFFLINE_STORAGE_UNKNOWN', field: '--offline.type' });
    expect(refusal(() => parseOfflineOption('s3://Bad_Bucket/p'))).toMatchObject({ code: 'CONFIG_INVALID', field: '--offline.bucket' });
    expect(refusal(() => parseOfflineOption('/some/folder'))).toMatchObject({ code: 'OFFLINE_STORAGE_UNKNOWN' });
  });

  it('no source file but the list names a backend definition (adding one is its file and one entry)', () => {
    const list = readFileSync(join(ROOT, 'src', 'storage', 'objectStoreBackends.ts'), 'utf8');
    const imports = [...list.matchAll(/^import \{ (\w+) \} from '\.\/(\w+)\.js';$/gm)];
    const names = imports.map((m) => m[1]!);
    const homes = imports.map((m) => `${m[2]}.ts`);
    expect(names.length).toBe(OBJECT_STORE_BACKENDS.length);
    const offenders: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !e.name.startsWith('objectStoreBackends.') && !homes.includes(e.name)) {
          const text = readFileSync(p, 'utf8');
          for (const n of names) if (new RegExp(`\\b${n}\\b`).test(text)) offenders.push(`${p.slice(ROOT.length + 1)}: ${n}`);
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(offenders).toEqual([]);
  });
});
