import { stepDef } from '../steps/index.js';
import type { MapContext } from './mapContext.js';
import { cols, lookup, obj, str } from './params.js';

/** Data Wrangler's column types (MohaveDataType) to Sluice's logical types. */
const TYPES: Record<string, string> = {
  long: 'integer',
  integer: 'integer',
  int: 'integer',
  float: 'float',
  double: 'float',
  string: 'string',
  bool: 'boolean',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp',
  timestamp: 'timestamp',
};

/** Infer and cast type -> infer_types; the schema Data Wrangler learned becomes a note. */
export function mapInferAndCast(ctx: MapContext): void {
  const schema = obj(ctx.node.trained_parameters, 'schema');
  const learned = Object.entries(schema).map(([c, t]) => `${c}: ${String(t)}`);
  if (learned.length > 0) ctx.note('info', `Data Wrangler inferred ${learned.join(', ')}; Sluice infers the types again from each batch`);
  if (stepDef('infer_types')) {
    ctx.add({ kind: 'infer_types' });
  } else {
    // Without the step, reading the data already detects column types (readTable), which is what
    // Data Wrangler's Spark reader, reading CSV as text, needed this node for.
    ctx.note('info', 'not converted: Sluice detects column types when it reads the data, so no step is needed');
  }
}

/** Cast single data type (older flows' "Change data type") -> cast. */
export function mapCastSingle(ctx: MapContext): void {
  const column = str(ctx.node.parameters, 'column');
  const from = str(ctx.node.parameters, 'data_type')?.toLowerCase();
  const to = lookup(TYPES, from);
  if (!column || !to) {
    ctx.unsupported();
    return;
  }
  ctx.add({ kind: 'cast', columns: [column], to });
  const onError = str(ctx.node.parameters, 'non_castable_data_handling_method');
  if (onError && onError !== 'replace_null') ctx.note('warning', `values that cannot be cast become missing in Sluice; Data Wrangler was set to "${onError}"`);
}

/** Manage columns: drop, select, rename, move, duplicate, concatenate. */
export function mapManageColumns(ctx: MapContext): void {
  const p = ctx.params;
  switch (ctx.action) {
    case 'Drop column':
    case 'Drop columns': {
      const columns = cols(p, 'column_to_drop').length ? cols(p, 'column_to_drop') : cols(p);
      if (columns.length) ctx.add({ kind: 'drop_columns', columns });
      else ctx.unsupported();
      return;
    }
    case 'Select column':
    case 'Select columns':
    case 'Keep column':
    case 'Keep columns': {
      const columns = [cols(p, 'column_to_select'), cols(p, 'column_to_keep'), cols(p)].find((c) => c.length > 0) ?? [];
      if (columns.length) ctx.add({ kind: 'select_columns', columns });
      else ctx.unsupported();
      return;
    }
    case 'Rename column': {
      // Newer flows list several renames in columns_to_rename, older ones one input_column/new_name.
      const pairs = [...(Array.isArray(p.columns_to_rename) ? p.columns_to_rename : []), p];
      const entries = pairs.flatMap((pair) => {
        const from = cols(pair)[0];
        const to = str(pair, 'new_name');
        return from && to ? [[from, to] as const] : [];
      });
      // fromEntries defines own keys, so even a column named __proto__ is a plain entry.
      if (entries.length) ctx.add({ kind: 'rename_columns', mapping: Object.fromEntries(entries) });
      else ctx.unsupported();
      return;
    }
    case 'Duplicate column': {
      const from = cols(p)[0];
      const to = str(p, 'new_name');
      if (from && to) ctx.add({ kind: 'duplicate_column', column: from, output: to });
      else ctx.unsupported();
      return;
    }
    case 'Move column':
      mapMove(ctx);
      return;
    case 'Concatenate columns': {
      // The one block not named after its sub-operator: concat_columns_parameters.
      const c = Object.keys(obj(ctx.node.parameters, 'concat_columns_parameters')).length ? obj(ctx.node.parameters, 'concat_columns_parameters') : p;
      const columns = cols(c);
      const output = str(c, 'output_column') ?? str(c, 'new_name');
      if (columns.length < 2 || !output) {
        ctx.unsupported();
        return;
      }
      const sep = str(c, 'delimiter') ?? '';
      const parts = columns.map((c) => `CAST(${ident(c)} AS VARCHAR)`);
      const expression = sep ? `concat(${parts.join(`, ${literal(sep)}, `)})` : `concat(${parts.join(', ')})`;
      ctx.add({ kind: 'compute', output, expression, type: 'string', replace: true });
      return;
    }
    default:
      ctx.unsupported();
      return;
  }
}

function mapMove(ctx: MapContext): void {
  const moveType = str(ctx.params, 'move_type');
  if (!moveType) {
    ctx.unsupported();
    return;
  }
  // Each move type keeps its own parameters block: move_to_start_parameters, move_after_parameters...
  const sub = obj(ctx.params, `${moveType.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_parameters`);
  const column = cols(sub, 'column_to_move')[0] ?? cols(ctx.params, 'column_to_move')[0];
  if (!column) {
    ctx.unsupported();
    return;
  }
  const target = str(sub, 'target_column');
  switch (moveType) {
    case 'Move to start':
      ctx.add({ kind: 'move_column', columns: [column], to: 'start' });
      return;
    case 'Move to end':
      ctx.add({ kind: 'move_column', columns: [column], to: 'end' });
      return;
    case 'Move after':
      if (target) ctx.add({ kind: 'move_column', columns: [column], to: 'after', anchor: target });
      else ctx.unsupported();
      return;
    case 'Move before':
      if (target) ctx.add({ kind: 'move_column', columns: [column], to: 'before', anchor: target });
      else ctx.unsupported();
      return;
    default:
      // "Move to index" needs the column list at that point, which the .flow file does not keep.
      ctx.unsupported();
      return;
  }
}

/** Manage rows: drop duplicates, sort. */
export function mapManageRows(ctx: MapContext): void {
  switch (ctx.action) {
    case 'Drop duplicates':
      ctx.add({ kind: 'drop_duplicates' });
      return;
    case 'Sort': {
      // Newer files list several keys under `conditions`; older ones name one column.
      const conditions = Array.isArray(ctx.params.conditions) ? ctx.params.conditions : [ctx.params];
      const by = conditions.map((c) => ({ column: cols(c, 'sort_by')[0] ?? cols(c)[0], descending: /desc/i.test(str(c, 'order') ?? 'Ascending') }));
      if (by.length === 0 || by.some((k) => !k.column)) {
        ctx.unsupported();
        return;
      }
      ctx.add({ kind: 'sort', by });
      return;
    }
    default:
      ctx.unsupported();
      return;
  }
}

/** A column name for the expression language: bare when it is a plain identifier. */
export function ident(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase()) ? name : `"${name.replace(/"/g, '""')}"`;
}

// The expression language's keywords and the statement words it refuses (parseExpr).
const RESERVED = new Set([
  'and',
  'or',
  'not',
  'is',
  'null',
  'in',
  'between',
  'like',
  'case',
  'when',
  'then',
  'else',
  'end',
  'true',
  'false',
  'cast',
  'as',
  'select',
  'insert',
  'update',
  'delete',
  'drop',
  'create',
  'alter',
  'attach',
  'copy',
  'pragma',
  'install',
  'load',
  'call',
  'set',
  'export',
  'import',
]);

export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
