import { z } from 'zod';
import { pipelineSchema } from './pipelineSchema.js';

/**
 * The JSON Schema of a pipeline spec, generated from the zod schema (the input side, so
 * defaulted fields are optional). docs/pipeline.schema.json is this, checked by a test.
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pipelineSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
