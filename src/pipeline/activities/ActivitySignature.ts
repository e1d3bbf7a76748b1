/**
 * The types a pipeline reference can carry. `file` is a path string (a batch, a report); a
 * `string` input accepts a file; `object` and `array` fields may be read deeper (`$.results.train.rows.train`),
 * unchecked below the first level; `any` matches everything (a command's output, a custom activity's).
 */
export type ValueType = 'string' | 'file' | 'number' | 'boolean' | 'object' | 'array' | 'any';

/**
 * Where an input a task does not wire comes from, tried in order when the pipeline loads: the
 * execution input (`$.input.<field>`), or the result of the nearest preceding state running an
 * activity (or the nearest preceding approval state), whole or one field of it.
 */
export type Wire = { input: string } | { activity: string; field?: string } | { approval: true; field?: string };

/**
 * An activity's typed input and output, as the pipeline loader checks references against them.
 * The mapped types make the compiler hold the lists to the activity's TypeScript types: a field
 * added to an output interface and not here (or the reverse) does not compile.
 */
export interface ActivitySignature<I, O> {
  input: { [K in keyof Required<I>]: ValueType };
  output: { [K in keyof Required<O>]: ValueType };
  /** The default wiring of inputs a task leaves out (today's data flow, derived once at load). */
  wiring?: { [K in keyof I]?: Wire[] };
  /** Inputs the activity cannot run without: a pipeline that neither wires nor can derive them does not load. */
  required?: Array<keyof I>;
  /** Input keys of older pipeline files that named a state (`from: train`), and the input they wire now. */
  legacy?: Record<string, keyof I>;
}

/** A signature with its input and output types erased, as the loader reads it. */
export type AnySignature = {
  input: Record<string, ValueType>;
  output: Record<string, ValueType>;
  wiring?: Record<string, Wire[] | undefined>;
  required?: string[];
  legacy?: Record<string, string>;
};

/** Whether a value of type `from` may be wired into an input of type `to`. */
export function typeFits(from: ValueType, to: ValueType): boolean {
  return from === to || from === 'any' || to === 'any' || (to === 'string' && from === 'file');
}
