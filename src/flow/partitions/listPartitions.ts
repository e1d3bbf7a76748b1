import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { SluiceError } from '../../core/errors.js';

/** One Parquet file of a partitioned batch. */
export interface PartitionFile {
  /** Its path. */
  file: string;
  /** Its path relative to the batch's folder (the name of its output). */
  name: string;
}

/** True when `input` names a partitioned batch: a folder, or a pattern with * or ? in its file name. */
export async function isPartitioned(input: string): Promise<boolean> {
  if (/[*?]/.test(basename(input))) return true;
  return (await stat(input).catch(() => undefined))?.isDirectory() ?? false;
}

const PARQUET = /\.(parquet|pq)$/i;
/** Names Spark, Hadoop and object stores leave beside the data (`_SUCCESS`, `.part-0.crc`): not data. */
const MARKER = /^[._]/;

function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

async function walk(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(folder, { withFileTypes: true })) {
    if (MARKER.test(e.name)) continue;
    const path = join(folder, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

/**
 * The Parquet files of a partitioned batch, sorted by name: every file under a folder (sub-folders
 * too, as Hive-style `day=2024-01-01/part-0.parquet`), or the files a pattern's file name matches
 * (`batch/part-*.parquet`). Names starting with `.` or `_` are skipped. An empty batch, or a file
 * that is not Parquet among the partitions, is an error naming it.
 */
export async function listPartitions(input: string): Promise<{ folder: string; partitions: PartitionFile[] }> {
  const pattern = /[*?]/.test(basename(input)) ? basename(input) : undefined;
  const folder = pattern ? dirname(input) : input;
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory())
    throw new SluiceError('FLOW_PARTITIONS_NOT_FOUND', `${folder} is not a folder`, {
      location: { file: folder },
      hint: 'give a folder of Parquet files, or a pattern such as batch/part-*.parquet',
    });
  const files = pattern
    ? (await readdir(folder, { withFileTypes: true })).filter((e) => e.isFile() && patternToRegExp(pattern).test(e.name)).map((e) => join(folder, e.name))
    : await walk(folder);
  files.sort();
  if (files.length === 0)
    throw new SluiceError('FLOW_PARTITIONS_EMPTY', pattern ? `no file in ${folder} matches ${pattern}` : `${folder} holds no partition (no file)`, {
      location: { file: input },
      hint: 'check the path; a partitioned batch is a folder (or pattern) of .parquet files',
    });
  const other = files.find((f) => !PARQUET.test(f));
  if (other)
    throw new SluiceError('FLOW_PARTITION_NOT_PARQUET', `${other} is not a Parquet file (.parquet), but lies among the partitions of ${input}`, {
      location: { file: other },
      hint: 'a partitioned batch holds Parquet files only: move the file out, rename it if it is Parquet, or give a pattern such as part-*.parquet',
    });
  return { folder, partitions: files.map((file) => ({ file, name: relative(folder, file) })) };
}

/** Refuses an output folder inside the batch's folder (its outputs would be read as partitions next time). */
export function assertOutsideBatch(batchFolder: string, output: string): void {
  const a = resolve(batchFolder);
  const b = resolve(output);
  if (b === a || b.startsWith(a + sep))
    throw new SluiceError('FLOW_OUTPUT_INSIDE_BATCH', `the output folder ${output} lies inside the batch's folder ${batchFolder}`, {
      location: { file: output },
      hint: 'write the results to another folder: files there would be read as partitions of the batch',
    });
}
