/**
 * Where the offline store's Parquet files live. DuckDB reads local files only here (its httpfs
 * extension cannot be installed), so a remote backend hands out local copies: committed
 * batches are never rewritten, which makes a download cache always valid.
 */
export interface OfflineStorage {
  /** Short name of the backend (`local`, `s3`). */
  readonly type: string;
  /** Where DuckDB writes a batch before it is put into the store (same file system as the store for `local`). */
  stagingDir(group: string): string;
  /**
   * Puts a finished local file into the store under `key` (`<group>/event_date=.../<name>`).
   * The key appears whole or not at all (a rename; an S3 PUT). The local file is consumed.
   */
  putFile(localPath: string, key: string): Promise<void>;
  /** A local path DuckDB can read for `key`: the file itself, or a cached download. */
  localPath(key: string): Promise<string>;
  /** Every file under `prefix` (a group's folder, `<group>/`), with its last modification time (epoch ms). */
  list(prefix: string): Promise<Array<{ key: string; modifiedAt: number }>>;
  /** Removes files (and their cached copies); a missing one is not an error. */
  remove(keys: readonly string[]): Promise<void>;
  /** A human-readable location of `key`, for messages and docs. */
  describe(key: string): string;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Settings of the offline storage, picked by `type` (see `createOfflineStorage`). */
export type OfflineStorageConfig =
  | { type: 'local'; root?: string }
  | {
      type: 's3';
      bucket: string;
      /** Key prefix inside the bucket, e.g. `sluice/offline`. */
      prefix?: string;
      /** Endpoint of an S3-compatible server (MinIO, Ceph, ...); absent: AWS. */
      endpoint?: string;
      region?: string;
      /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need; default true with an endpoint. */
      forcePathStyle?: boolean;
      /** Absent: the AWS SDK's default chain (environment, profile, instance role). */
      credentials?: { accessKeyId: string; secretAccessKey: string };
    };
