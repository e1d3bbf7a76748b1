// Regenerates the docs that are derived from code: `npm run docs`. A test fails when they are stale.
import { writeFileSync } from 'node:fs';
import { flowJsonSchema, renderFlowDocs } from '../src/flow/renderFlowDocs.js';

writeFileSync('docs/flows.md', renderFlowDocs());
writeFileSync('docs/flow.schema.json', JSON.stringify(flowJsonSchema(), null, 2) + '\n');
process.stdout.write('wrote docs/flows.md, docs/flow.schema.json\n');
