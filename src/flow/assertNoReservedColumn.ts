import { SluiceError } from '../core/errors.js';
import { RESERVED_COLUMN_NAME, RESERVED_COLUMN_REASON } from '../core/reservedColumnName.js';
import type { ColumnSchema } from '../core/types.js';

/**
 * A step's result must not have a column named `__proto__` (src/core/reservedColumnName.ts). A
 * flow cannot name one, but a step can make one from data or by joining names: one_hot's
 * `<col>_<category>`, vectorize_text's `<prefix><token>`, a suffix, a python step's result.
 * Refused when the flow is fitted, naming the step, before a later step or the record path
 * would lose the column's values.
 */
export function assertNoReservedColumn(columns: readonly ColumnSchema[], index: number, kind: string): void {
  if (!columns.some((c) => c.name === RESERVED_COLUMN_NAME)) return;
  throw new SluiceError(
    'FLOW_COLUMN_NAME',
    `step ${index + 1} (${kind}) makes a column named "${RESERVED_COLUMN_NAME}", which Sluice cannot keep: ${RESERVED_COLUMN_REASON}`,
    {
      location: { step: index, field: RESERVED_COLUMN_NAME },
      hint: 'change what the name is made from: the output name, prefix or suffix the step is given, or the value or token it is named after (rename or replace it in an earlier step)',
    },
  );
}
