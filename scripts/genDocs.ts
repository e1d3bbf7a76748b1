// Regenerates the docs that are derived from code: `npm run docs`. A test fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { flowJsonSchema, renderFlowDocs } from '../src/flow/renderFlowDocs.js';
import { withWarningCount, withWarningsTable } from '../src/profile/warnings/renderWarningDocs.js';
import { withActivitiesTable } from '../src/pipeline/activities/renderActivityDocs.js';
import { withConsolePagesTable } from '../src/server/console/renderConsolePagesDoc.js';
import { referenceOpenApi } from '../src/server/openapi/referenceOpenApi.js';
import { renderCliDocs } from './cliDocs.js';

writeFileSync('docs/flows.md', renderFlowDocs());
writeFileSync('docs/flow.schema.json', JSON.stringify(flowJsonSchema(), null, 2) + '\n');
writeFileSync('docs/openapi.json', JSON.stringify(await referenceOpenApi(), null, 2) + '\n');
writeFileSync('docs/cli.md', renderCliDocs());
writeFileSync('docs/report.md', withWarningsTable(readFileSync('docs/report.md', 'utf8')));
writeFileSync('README.md', withWarningCount(readFileSync('README.md', 'utf8')));
writeFileSync('docs/console.md', withConsolePagesTable(readFileSync('docs/console.md', 'utf8')));
writeFileSync('docs/pipelines.md', withActivitiesTable(readFileSync('docs/pipelines.md', 'utf8')));
process.stdout.write(
  'wrote docs/flows.md, docs/flow.schema.json, docs/openapi.json, docs/cli.md, the warnings table of docs/report.md, the count of warning kinds in README.md, the pages table of docs/console.md, the activities table of docs/pipelines.md\n',
);
