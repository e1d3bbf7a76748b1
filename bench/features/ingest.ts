import { fileURLToPath } from 'node:url';
/**
 * Feature store benchmark. Run: `node --import tsx bench/features/ingest.ts [--rows 1000000]`
 *
 * 1. Ingest the diabetes data (69,570 rows; an id and an event time added in SQL), offline + online.
 * 2. Ingest 1M rows (the diabetes rows repeated, each with its own id), offline + online.
 * 3. Online get latency in-process (random ids), and over HTTP on loopback at 500 requests/s.
 * 4. Point-in-time dataset: 100k entity rows against the 1M feature rows (DuckDB ASOF JOIN).
 * 5. pandas `merge_asof` on the same data in the same run (/usr/bin/python3), and a check that
 *    both joins found the same values.
 * 6. With `redis-server` installed: the diabetes ingest with the Redis online store, and the
 *    longest single command it ran in Redis (SLOWLOG): how long other clients could be held up.
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { Redis } from 'ioredis';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { featureRoutes } from '../../src/server/routes/features.js';

const DIABETES = process.env.SLUICE_DIABETES ?? fileURLToPath(new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url));
const argRows = process.argv.indexOf('--rows');
const BIG = argRows > 0 ? Number(process.argv[argRows + 1]) : 1_000_000;
const ENTITIES = 100_000;

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-fs-'));
const results: Array<[string, string]> = [];
const note = (k: string, v: string) => {
  results.push([k, v]);
  console.log(`${k}: ${v}`);
};
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** Wall time and this process's CPU time (user + system, DuckDB's threads included): the machine may be shared. */
function timer(): () => string {
  const w = performance.now();
  const c = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(c);
    return `${secs(performance.now() - w)} wall, ${secs((d.user + d.system) / 1000)} CPU`;
  };
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const loadAtStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
console.log(`load average at the start: ${loadAtStart}`);
const engine = await Engine.open();
await engine.exec("SET TimeZone = 'UTC'");
await readTable(engine, DIABETES, { name: 'raw' });
// Event times spread over 2025, deterministic per id.
await engine.exec(`CREATE TABLE diabetes AS SELECT row_number() OVER () AS patient_id,
  TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(row_number() OVER ()) % 31536000 AS BIGINT)) AS event_time, * FROM raw`);
await engine.exec(`CREATE TABLE big AS SELECT row_number() OVER () AS patient_id,
  TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(row_number() OVER () * 7919) % 31536000 AS BIGINT)) AS event_time, r.* EXCLUDE (patient_id, event_time)
  FROM (SELECT d.* FROM diabetes d, range(${Math.ceil(BIG / 69_570)})) r LIMIT ${BIG}`);

const store = await FeatureStore.open({ projectDir: dir });
await store.createGroupFromData({ engine, relation: 'diabetes' }, { name: 'diabetes', recordIdentifier: 'patient_id', eventTime: 'event_time' });
await store.createGroupFromData({ engine, relation: 'big' }, { name: 'patients', recordIdentifier: 'patient_id', eventTime: 'event_time' });

// Time the commit (registry row + online apply, one SQLite transaction): it holds SQLite's write lock.
let commitMs = 0;
const applyBatch = store.online.applyBatch.bind(store.online);
store.online.applyBatch = async (...args: Parameters<typeof applyBatch>) => {
  const s = performance.now();
  try {
    return await applyBatch(...args);
  } finally {
    commitMs = performance.now() - s;
  }
};

let done = timer();
const small = await store.ingest('diabetes', { engine, relation: 'diabetes' }, { batchId: 'diabetes-1' });
note(`ingest diabetes (${small.rows.toLocaleString('en')} rows, offline + online SQLite)`, done());
note('  of which the commit (one transaction: registry row + online apply, holding the write lock; then the staging table is dropped)', secs(commitMs));
done = timer();
const big = await store.ingest('patients', { engine, relation: 'big' }, { batchId: 'big-1' });
note(`ingest ${big.rows.toLocaleString('en')} rows (offline + online SQLite)`, done());
note('  of which the commit (one transaction: registry row + online apply, holding the write lock; then the staging table is dropped)', secs(commitMs));

// Online gets, in-process.
const lat: number[] = [];
for (let i = 0; i < 20_000; i++) {
  const id = String(1 + Math.floor(Math.random() * BIG));
  const s = performance.now();
  const r = await store.getRecord('patients', id);
  lat.push(performance.now() - s);
  if (!r) throw new Error(`missing record ${id}`);
}
note('online get in-process, 20,000 random ids: p50 / p99', `${pct(lat, 50).toFixed(3)} ms / ${pct(lat, 99).toFixed(3)} ms`);

// Online gets over HTTP on loopback at a fixed 500 requests/s (open loop: send times are fixed).
const app = Fastify();
await app.register(featureRoutes, { store, prefix: '/api' });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
const total = 5000;
const load = await promisify(execFile)(
  process.execPath,
  [join(import.meta.dirname, 'httpLoad.mjs'), `${address}/api/features/groups/patients/records/`, String(BIG), '500', String(total)],
  {
    maxBuffer: 64 * 1024 * 1024,
  },
);
const { latencies: httpLat, errors } = JSON.parse(load.stdout) as { latencies: number[]; errors: number };
if (errors) throw new Error(`${errors} HTTP requests failed`);
note(
  `online get over HTTP (loopback, client in another process, 500 req/s for ${total / 500} s): p50 / p99`,
  `${pct(httpLat, 50).toFixed(2)} ms / ${pct(httpLat, 99).toFixed(2)} ms`,
);
await app.close();

// Point-in-time dataset: entity rows with random ids and times around the feature times.
await engine.exec(`CREATE TABLE entities AS SELECT 1 + CAST(floor(random() * ${BIG}) AS BIGINT) AS patient_id,
  TIMESTAMP '2025-01-01' + to_seconds(CAST(floor(random() * 31536000) AS BIGINT)) AS event_time FROM range(${ENTITIES})`);
const entitiesFile = join(dir, 'entities.csv');
await engine.exec(`COPY entities TO '${entitiesFile}' (HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')`);
const feats = ['num_lab_procedures', 'num_medications', 'time_in_hospital'];
done = timer();
const ds = await store.buildDataset({ file: entitiesFile }, { features: [{ group: 'patients', features: feats }], out: join(dir, 'train.parquet') });
note(
  `point-in-time dataset: ${ds.rows.toLocaleString('en')} entity rows x ${BIG.toLocaleString('en')} feature rows (DuckDB ASOF JOIN, from offline Parquet to Parquet)`,
  done(),
);
await readTable(engine, join(dir, 'train.parquet'), { name: 'train' });
const [duckStats] = await engine.query(`SELECT count(num_medications) AS matched, sum(num_medications) AS total FROM train`);

// pandas merge_asof on the same feature rows (read back from the offline store) and entities.
const featFile = join(dir, 'features.csv');
await engine.exec(`COPY (SELECT patient_id, event_time, ${feats.join(', ')} FROM read_parquet('${join(dir, '.sluice/offline/patients')}/*/*.parquet'))
  TO '${featFile}' (HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')`);
const py = join(dir, 'asof.py');
writeFileSync(
  py,
  `import sys, time, json
import pandas as pd
t0 = time.perf_counter()
f = pd.read_csv(sys.argv[1], parse_dates=['event_time'])
e = pd.read_csv(sys.argv[2], parse_dates=['event_time'])
t1 = time.perf_counter()
e['__row'] = range(len(e))
out = pd.merge_asof(e.sort_values('event_time'), f.sort_values('event_time'), on='event_time', by='patient_id', direction='backward', allow_exact_matches=True).sort_values('__row')
t2 = time.perf_counter()
print(json.dumps({'read_s': t1 - t0, 'merge_s': t2 - t1, 'matched': int(out['num_medications'].notna().sum()), 'total': float(out['num_medications'].sum()), 'pandas': pd.__version__}))
`,
);
const pyOut = JSON.parse(execFileSync('/usr/bin/python3', [py, featFile, entitiesFile], { encoding: 'utf8' })) as {
  read_s: number;
  merge_s: number;
  matched: number;
  total: number;
  pandas: string;
};
note(
  `pandas ${pyOut.pandas} merge_asof, same data: sort + merge (CSV read excluded)`,
  `${pyOut.merge_s.toFixed(2)} s wall (+ ${pyOut.read_s.toFixed(2)} s CSV read)`,
);
const same = Number(duckStats?.matched) === pyOut.matched && Math.abs(Number(duckStats?.total) - pyOut.total) < 1e-6;
note(
  'DuckDB and pandas joins agree (matched rows, sum of a feature)',
  `${same ? 'yes' : 'NO'} (${pyOut.matched.toLocaleString('en')} of ${ENTITIES.toLocaleString('en')} rows matched)`,
);

// Redis online store: the same diabetes ingest; the apply is one Lua script, which Redis runs alone.
if (spawnSync('redis-server', ['--version']).status === 0) {
  const port = await new Promise<number>((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
  const redisProc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let ok = false; !ok; ) {
    ok = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1', () => res(!!c.end())).on('error', () => res(false));
    });
    if (!ok) await new Promise((r) => setTimeout(r, 50));
  }
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url);
  await admin.config('SET', 'slowlog-log-slower-than', '1000');
  const rdir = mkdtempSync(join(tmpdir(), 'sluice-bench-fs-redis-'));
  const rstore = await FeatureStore.open({ projectDir: rdir, online: { type: 'redis', url } });
  await rstore.createGroupFromData({ engine, relation: 'diabetes' }, { name: 'diabetes', recordIdentifier: 'patient_id', eventTime: 'event_time' });
  await admin.slowlog('RESET');
  done = timer();
  const r = await rstore.ingest('diabetes', { engine, relation: 'diabetes' }, { batchId: 'diabetes-redis' });
  note(`ingest diabetes (${r.rows.toLocaleString('en')} rows, offline + online Redis)`, done());
  const slow = (await admin.slowlog('GET', 100)) as Array<[number, number, number, string[]]>;
  const longest = slow.reduce((m, e) => Math.max(m, Number(e[2])), 0);
  note(
    'longest single Redis command during that ingest (SLOWLOG; staging and promotion go in chunks of 500)',
    longest ? `${(longest / 1000).toFixed(1)} ms` : '< 1 ms',
  );
  const rlat: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const id = String(1 + Math.floor(Math.random() * r.rows));
    const s = performance.now();
    if (!(await rstore.getRecord('diabetes', id))) throw new Error(`missing record ${id} in Redis`);
    rlat.push(performance.now() - s);
  }
  note(
    'online get from Redis (one Lua script per get, loopback), 5,000 random ids: p50 / p99',
    `${pct(rlat, 50).toFixed(3)} ms / ${pct(rlat, 99).toFixed(3)} ms`,
  );
  await rstore.close();
  admin.disconnect();
  redisProc.kill('SIGTERM');
  rmSync(rdir, { recursive: true, force: true });
}

console.log(
  `\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average at the start ${loadAtStart}, at the end ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}\n`,
);
console.log('| measure | result |\n|---|---|');
for (const [k, v] of results) console.log(`| ${k} | ${v} |`);
await store.close();
engine.close();
rmSync(dir, { recursive: true, force: true });
if (!same) process.exitCode = 1;
