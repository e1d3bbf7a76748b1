import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flowJsonSchema, renderFlowDocs } from '../src/flow/renderFlowDocs.js';

describe('generated docs are up to date (run `npm run docs` after changing a step)', () => {
  it('docs/flows.md', () => {
    expect(readFileSync('docs/flows.md', 'utf8')).toBe(renderFlowDocs());
  });
  it('docs/flow.schema.json', () => {
    expect(JSON.parse(readFileSync('docs/flow.schema.json', 'utf8'))).toEqual(flowJsonSchema());
  });
});
