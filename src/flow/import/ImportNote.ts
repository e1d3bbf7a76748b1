import type { StepSpec } from '../flowSchema.js';

/**
 * What the importer tells the user about one part of the conversion.
 * - `placeholder`: a node Sluice cannot run; the flow holds a `todo_custom_code` step for it and
 *   `flow validate` rejects the flow until a person replaces it.
 * - `warning`: imported, but something differs from Data Wrangler (a dropped option, a guess).
 * - `info`: context worth knowing (the source, what Data Wrangler had learned).
 */
export interface ImportNote {
  level: 'placeholder' | 'warning' | 'info';
  message: string;
  /** The Data Wrangler node the note is about. */
  node?: string;
  /** The node's operator, e.g. `sagemaker.spark.custom_code_0.1`. */
  operator?: string;
  /** The code of a placeholder, shown verbatim. */
  code?: string;
}

/** One step of the imported flow and the Data Wrangler node it came from (for the YAML comments). */
export interface ImportedStep {
  step: StepSpec;
  node: string;
  operator: string;
  /** The node's sub-operator, e.g. `Drop column`, when it has one. */
  action?: string;
}

/** A node of a Data Wrangler `.flow` file, as the importer reads it. */
export interface WranglerNode {
  node_id: string;
  type: string;
  operator: string;
  parameters: Record<string, unknown>;
  trained_parameters?: unknown;
  inputs: Array<{ node_id: string; name?: string; output_name?: string }>;
  /** The node's outputs as the file has them (a source keeps its sampling there). */
  outputs?: unknown;
  /** The node's position in the file's `nodes` array, for messages. */
  index: number;
}
