import type { StepSpec } from '../flowSchema.js';
import type { ImportNote, WranglerNode } from './ImportNote.js';
import type { Obj } from './params.js';

/** What a mapper sees of one Data Wrangler node, and how it emits steps and notes. */
export interface MapContext {
  node: WranglerNode;
  /** The node's sub-operator (`parameters.operator`), e.g. `Drop column`. */
  action: string | undefined;
  /** The sub-operator's parameters (`parameters.<action>_parameters`), or the node's parameters. */
  params: Obj;
  /** The output of this node the next node on the chain reads, when it is not `default` (a split's `Train`). */
  outputTaken: string | undefined;
  /** For a node with two inputs (join, concatenate): the flow input its second branch became. */
  side: string | undefined;
  add(step: StepSpec): void;
  note(level: ImportNote['level'], message: string): void;
  /** A `todo_custom_code` step the user must replace, with a note that shows the code. */
  placeholder(language: string, code: string, message: string): void;
  /** A placeholder for a sub-operator Sluice has no step for, carrying its parameters as code. */
  unsupported(): void;
}

export type NodeMapper = (ctx: MapContext) => void;
