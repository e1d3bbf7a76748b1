import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { configSchema, type SluiceConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { defaultPipeline } from '../definition/defaultPipeline.js';
import { loadPipelineFile, validatePipelineObject } from '../definition/parsePipeline.js';
import type { Pipeline } from '../definition/pipelineSchema.js';
import { parseLocatedYaml } from '../definition/yamlLocations.js';
import { projectLayout, type ProjectLayout } from '../../core/projectLayout.js';
import { CONFIG_FILE, findProjectRoot } from './findProjectRoot.js';

export { CONFIG_FILE, findProjectRoot };

/** A loaded project: its validated configuration, folders and pipeline. */
export interface Project {
  root: string;
  file: string;
  config: SluiceConfig;
  paths: ProjectLayout;
  pipeline: Pipeline;
}

/**
 * Reads and validates `sluice.yaml` and the pipeline it names. Errors name the key and its line:
 * a YAML syntax error (YAML_SYNTAX), a setting of the wrong shape (CONFIG_INVALID), or a pipeline
 * problem (PIPELINE_INVALID, located in sluice.yaml or in the pipeline file).
 */
export function loadProject(dir?: string): Project {
  const root = dir ? resolve(dir) : findProjectRoot();
  const file = join(root, CONFIG_FILE);
  if (!existsSync(file)) {
    throw new SluiceError('PROJECT_NOT_FOUND', `${file} does not exist`, { hint: 'run `sluice init` to create a project' });
  }
  const text = readFileSync(file, 'utf8');
  const yaml = parseLocatedYaml(text, file);
  const parsed = configSchema.safeParse(yaml.value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
    const field = path.map(String).join('.');
    const pos = yaml.locate(path);
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
    throw new SluiceError('CONFIG_INVALID', `${CONFIG_FILE}: ${field || 'the file'}: ${issue.message}${more}`, {
      location: { file, ...(pos ? { line: pos.line, column: pos.column } : {}), ...(field ? { field } : {}) },
      hint:
        issue.code === 'unrecognized_keys'
          ? 'remove the key or fix its spelling; docs/configuration.md lists every setting'
          : 'see docs/configuration.md for this setting',
      details: { issues: parsed.error.issues },
    });
  }
  const config = parsed.data;
  const paths = projectLayout(root, { stateDir: config.stateDir, inbox: config.inbox, archive: config.archive });
  let pipeline: Pipeline;
  if (config.pipeline === 'default') pipeline = defaultPipeline();
  else if (typeof config.pipeline === 'string') pipeline = loadPipelineFile(isAbsolute(config.pipeline) ? config.pipeline : join(root, config.pipeline));
  else pipeline = validatePipelineObject(config.pipeline, { file, yaml, prefix: ['pipeline'] });
  return { root, file, config, paths, pipeline };
}
