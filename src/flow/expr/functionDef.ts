/** A function a flow expression may call, defined as DuckDB SQL and as JavaScript with the same semantics. */
export interface FunctionDef {
  min: number;
  max: number;
  /** SQL text from the SQL of the arguments. */
  sql: (args: string[]) => string;
  /** JavaScript implementation; receives evaluated arguments. */
  js: (...args: unknown[]) => unknown;
  /** When true the JS implementation receives NULLs itself (otherwise any NULL gives NULL). */
  nullAware?: boolean;
  doc: string;
}
