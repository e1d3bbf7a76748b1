import { isAbsolute, join, relative, resolve } from 'node:path';
import { SluiceError } from '../core/errors.js';
import type { MissingPolicy } from '../core/missing.js';
import type { Engine } from '../engine/Engine.js';
import { readTable } from '../engine/readTable.js';
import type { FlowSpec, InputSource } from './flowSchema.js';

/** Reads a feature group into the engine as `relation` (the pipeline gives one; the CLI has none). */
export type FeatureGroupReader = (engine: Engine, group: string, history: boolean, relation: string) => Promise<void>;

export interface InputOptions {
  /** The flow file's folder: `file:` paths are relative to it, and may not leave it. */
  baseDir?: string;
  /** Files given for inputs by name (`--with NAME=FILE`), instead of the flow's own. */
  files?: Record<string, string>;
  readFeatureGroup?: FeatureGroupReader;
  /** The missing-value rules the main input is read with (the flow's, else the project's tokens): side files read the same. */
  missing?: MissingPolicy;
}

/** A side input read into the engine, before its own steps (a branch is not read: the flow computes it). */
export interface RawInput {
  name: string;
  relation: string;
  source: Omit<InputSource, 'steps'>;
}

/**
 * Reads the flow's other inputs (`inputs:`) into the engine, one table each. A `file:` is
 * relative to the flow's folder and may not leave it (a path given on the command line may);
 * a feature group needs the project's feature store.
 */
export async function readInputs(engine: Engine, inputs: FlowSpec['inputs'] | undefined, options: InputOptions = {}): Promise<RawInput[]> {
  const out: RawInput[] = [];
  for (const [name, source] of Object.entries(inputs ?? {})) {
    const given = options.files?.[name];
    if (source.branch !== undefined) {
      // A branch is the flow's own data at a step: the flow computes it, nothing is read.
      if (given) {
        throw new SluiceError(
          'FLOW_INPUT_BRANCH',
          `--with ${name}=... gives a file for input "${name}", which is a branch of the flow's own data (branch: ${source.branch})`,
          {
            location: { field: `inputs.${name}` },
            hint: `leave out --with ${name}=...; or, to read a file instead, declare it as one: inputs: { ${name}: { file: ${name}.csv } }`,
          },
        );
      }
      continue;
    }
    const relation = engine.tempName(`input_${name}`);
    const reading = { name: relation, ...(options.missing ? { missing: options.missing } : {}) };
    if (given) await readTable(engine, given, reading);
    else if (source.file) await readTable(engine, inFolder(source.file, options.baseDir, name), reading);
    else {
      if (!options.readFeatureGroup) {
        throw new SluiceError('FLOW_INPUT_NEEDED', `input "${name}" is feature group "${source.feature_group}", which only a project's pipeline can read`, {
          location: { field: `inputs.${name}` },
          hint: `run the flow in the project's pipeline, or give a file for it: --with ${name}=FILE`,
        });
      }
      await options.readFeatureGroup(engine, source.feature_group!, source.history, relation);
    }
    out.push({ name, relation, source });
  }
  for (const name of Object.keys(options.files ?? {})) {
    if (!inputs || !Object.hasOwn(inputs, name)) {
      throw new SluiceError('FLOW_UNKNOWN_INPUT', `--with ${name}=... names an input the flow does not declare`, {
        hint: `declared inputs: ${Object.keys(inputs ?? {}).join(', ') || 'none'}`,
      });
    }
  }
  return out;
}

function inFolder(file: string, baseDir: string | undefined, name: string): string {
  const base = resolve(baseDir ?? '.');
  const full = isAbsolute(file) ? file : join(base, file);
  const rel = relative(base, full);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new SluiceError('FLOW_INPUT_PATH', `input "${name}" names ${file}, which is outside the flow's folder ${base}`, {
      location: { field: `inputs.${name}.file` },
      hint: `keep the file next to the flow, or give it on the command line: --with ${name}=${file}`,
    });
  }
  return full;
}
