import { stat } from 'node:fs/promises';
import type { DateOrder } from '../core/dateFormats.js';
import { missingPolicy, type MissingPolicy } from '../core/missing.js';
import type { Engine } from '../engine/Engine.js';
import type { RecogniseOptions } from '../engine/recogniseTypes.js';
import { readTable, type TableInfo } from '../engine/readTable.js';
import { quoteIdent } from '../engine/sql.js';

/** Files above this size are read as views (streamed) instead of copied into memory. */
const STREAM_ABOVE_BYTES = 256 * 1024 * 1024;

/** How a flow's batch is read: what counts as missing, and whether text is typed from data. */
export interface BatchReading {
  missing: MissingPolicy;
  /** Types from data (false: text stays text, as a fitted flow reads its batch). */
  recognise: RecogniseOptions | false;
}

/**
 * How fitting reads its batch: the flow's missing tokens, else the project's, and text typed
 * from the data (dates in `dateOrder`). One rule for `runFlow` and for the read `sluice flow run`
 * starts before the flow is loaded (which passes no flow tokens: it does not know them yet).
 */
export function fitReading(flowTokens: readonly string[] | undefined, projectTokens: readonly string[] | undefined, dateOrder?: DateOrder): BatchReading {
  return { missing: missingPolicy(flowTokens, projectTokens), recognise: dateOrder ? { dateOrder } : {} };
}

/** A batch read into the engine: the table (or, above 256 MB, the view) and whether it is streamed. */
export interface Batch {
  info: TableInfo;
  streamed: boolean;
}

/** Reads a flow's batch file into a fresh relation of the engine (runFlow's reading). */
export async function readBatch(engine: Engine, input: string, reading: BatchReading): Promise<Batch> {
  const size = (await stat(input).catch(() => ({ size: 0 }))).size;
  const streamed = size > STREAM_ABOVE_BYTES;
  const info = await readTable(engine, input, {
    name: engine.tempName('input'),
    materialize: streamed ? 'view' : 'table',
    missing: reading.missing,
    recognise: reading.recognise,
  });
  return { info, streamed };
}

/**
 * A batch read begun before the flow is loaded, so that DuckDB parses the file while the flow
 * file, its step kinds and their schemas load (`sluice flow run`). runFlow takes it when the
 * flow reads the same file the same way, else reads again ({@link takeEarlyBatch}).
 */
export interface EarlyBatch {
  input: string;
  reading: BatchReading;
  batch: Promise<Batch>;
  /** Settles when the read has ended, either way (the engine must not close before). */
  settled: Promise<void>;
}

/**
 * Starts {@link readBatch} on a file small enough to be read into memory (a streamed batch gains
 * nothing from an early start; undefined then). A failed read is reported by whoever takes the
 * batch, never unhandled.
 */
export async function startBatch(engine: Engine, input: string, reading: BatchReading): Promise<EarlyBatch | undefined> {
  const size = (await stat(input).catch(() => ({ size: 0 }))).size;
  if (size > STREAM_ABOVE_BYTES) return undefined;
  const batch = readBatch(engine, input, reading);
  return { input, reading, batch, settled: batch.then(noop, noop) };
}

/**
 * The batch of `early` when it read `input` as `reading` says (same missing tokens, same typing),
 * else undefined after the early read has ended and its relation is dropped: the caller reads again.
 */
export async function takeEarlyBatch(engine: Engine, early: EarlyBatch | undefined, input: string, reading: BatchReading): Promise<Batch | undefined> {
  if (!early) return undefined;
  if (early.input === input && JSON.stringify(early.reading) === JSON.stringify(reading)) return early.batch;
  const r = await early.batch.catch(() => undefined);
  if (r) await engine.exec(`DROP ${r.streamed ? 'VIEW' : 'TABLE'} IF EXISTS ${quoteIdent(r.info.name)}`);
  return undefined;
}

function noop(): void {}
