import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SluiceError } from '../../src/core/errors.js';
import { parsePipelineYaml, validatePipelineObject } from '../../src/pipeline/definition/parsePipeline.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { errorOf } from '../support/errors.js';

// A `__proto__` key in a pipeline: zod's records drop it without a word (a task's input entry
// vanished and the default wiring took its place), so it is refused with its state, field and line.
const withInput = (entry: string) => `start: build
states:
  build:
    type: task
    activity: run_flow
    input:
${entry}
    next: done
  done:
    type: succeed
`;

describe('__proto__ keys in a pipeline', () => {
  it("a task input's __proto__ entry is refused with its state, field and line (it was dropped)", () => {
    const e = errorOf(() => parsePipelineYaml(withInput('      __proto__:\n        file: other.csv'), 'p.yaml')) as SluiceError;
    expect(e.code).toBe('PIPELINE_INVALID');
    expect(e.message).toContain('state "build", field "input.__proto__": "__proto__" cannot be a key in a pipeline');
    expect(e.location).toMatchObject({ file: 'p.yaml', line: 7, step: 'build', field: 'input.__proto__' });
    expect(e.hint).toBe('use another name for the key');
  });

  it('the same input without it loads (the check refuses only the reserved key)', () => {
    const p = parsePipelineYaml(withInput('      file: other.csv'), 'p.yaml');
    expect((p.states.build as { input?: Record<string, unknown> }).input?.file).toBe('other.csv');
  });

  it('in a state map, in JSON, and inside sluice.yaml (located there)', () => {
    const states = errorOf(() =>
      validatePipelineObject(JSON.parse('{"start":"done","states":{"done":{"type":"succeed"},"__proto__":{"type":"fail"}}}')),
    ) as SluiceError;
    expect(states.code).toBe('PIPELINE_INVALID');
    expect(states.message).toContain('state "__proto__": "__proto__" cannot be a key in a pipeline');

    const dir = mkdtempSync(join(tmpdir(), 'sluice-reserved-'));
    const inline = withInput('      __proto__: x')
      .split('\n')
      .map((l) => (l ? `  ${l}` : l))
      .join('\n');
    writeFileSync(join(dir, 'sluice.yaml'), `name: p\npipeline:\n${inline}`);
    const e = errorOf(() => loadProject(dir)) as SluiceError;
    expect(e.code).toBe('PIPELINE_INVALID');
    expect(e.location).toMatchObject({ file: join(dir, 'sluice.yaml'), line: 9, field: 'input.__proto__' });
  });
});
