/**
 * Where Sluice keeps immutable files it shares between processes and machines: the offline
 * store's Parquet partitions, model artifacts, reports, archived inputs and step outputs. A local
 * folder (the embedded default) or an S3-compatible bucket. Objects are written locally, put
 * whole (a rename; one PUT), and read through local files (DuckDB and the loaders read local
 * files only): a remote backend downloads a copy on first read, which stays valid because an
 * object is never changed in place, only replaced whole under the same key.
 */
export interface ObjectStore {
  /** Short name of the backend (`local`, `s3`). */
  readonly type: string;
  /** A local folder for files about to be put under `prefix` (same file system as the store for `local`). */
  stagingDir(prefix: string): string;
  /**
   * Puts a finished local file into the store under `key` (e.g. `<group>/event_date=.../<name>`).
   * The key appears whole or not at all (a rename; an S3 PUT). The local file is consumed,
   * unless `keep` is set (then it is copied).
   */
  putFile(localPath: string, key: string, options?: { keep?: boolean }): Promise<void>;
  /** A local path to read `key` from: the file itself, or a cached download. */
  localPath(key: string): Promise<string>;
  /** Copies the bytes of `key` to the local file `dest` (written to a temporary name, then renamed); no cache. */
  getFile(key: string, dest: string): Promise<void>;
  /** Every file under `prefix` (`<group>/`, `<execution>/`), with its last modification time (epoch ms). */
  list(prefix: string): Promise<Array<{ key: string; modifiedAt: number }>>;
  /** Removes files (and their cached copies); a missing one is not an error. */
  remove(keys: readonly string[]): Promise<void>;
  /** A human-readable location of `key`, for messages and docs. */
  describe(key: string): string;
  /** Releases connections. */
  close(): Promise<void>;
}
