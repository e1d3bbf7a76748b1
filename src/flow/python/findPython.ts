import { SluiceError } from '../../core/errors.js';

/** Interpreters tried, in order, when neither SLUICE_PYTHON nor sluice.yaml `python:` names one. */
export const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3'] as const;

export const INSTALL_HINT =
  'install Python 3 with pandas (Debian/Ubuntu: apt-get install python3-pandas), or point SLUICE_PYTHON (or sluice.yaml `python:`) to a python3 that can import pandas';

const probes = new Map<string, Promise<string | undefined>>();

/** Why `python` cannot run `import pandas`, or undefined when it can (cached per path). */
export function probePython(python: string): Promise<string | undefined> {
  let p = probes.get(python);
  if (!p) {
    // node:child_process loads when a python step needs it, not with the step kinds.
    p = import('node:child_process').then(
      ({ execFile }) =>
        new Promise((resolve) => {
          execFile(python, ['-c', 'import pandas, numpy'], { timeout: 60_000 }, (err, _out, stderr) => {
            if (!err) return resolve(undefined);
            const e = err as NodeJS.ErrnoException & { killed?: boolean };
            if (e.code === 'ENOENT') return resolve('not found');
            if (e.code === 'EACCES') return resolve('not executable');
            if (e.killed) return resolve('did not answer within 60 s');
            const last = String(stderr).trim().split('\n').pop() ?? '';
            resolve(last.includes('No module named') ? `cannot import pandas (${last})` : `fails: ${last || e.message}`);
          });
        }),
    );
    probes.set(python, p);
  }
  return p;
}

/**
 * The python3 that runs `python` steps: `SLUICE_PYTHON` when set, else `configured` (sluice.yaml
 * `python:`), else the first of {@link PYTHON_CANDIDATES} that can import pandas (Debian's
 * /usr/bin/python3 first: a python3 earlier on PATH, such as a pyenv one, often lacks pandas).
 * A named interpreter is used as it is; a missing one, or one without pandas, is an error that
 * says what to install.
 */
export async function findPython(configured?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const named = env.SLUICE_PYTHON
    ? { path: env.SLUICE_PYTHON, from: 'SLUICE_PYTHON' }
    : configured
      ? { path: configured, from: 'sluice.yaml python:' }
      : undefined;
  if (named) {
    const problem = await probePython(named.path);
    if (problem) {
      throw new SluiceError('FLOW_PYTHON_MISSING', `the python step needs Python 3 with pandas: ${named.path} (from ${named.from}) ${problem}`, {
        location: { field: named.from === 'SLUICE_PYTHON' ? 'SLUICE_PYTHON' : 'python' },
        hint: INSTALL_HINT,
      });
    }
    return named.path;
  }
  const tried: string[] = [];
  for (const c of PYTHON_CANDIDATES) {
    const problem = await probePython(c);
    if (!problem) return c;
    tried.push(`${c} ${problem}`);
  }
  throw new SluiceError('FLOW_PYTHON_MISSING', `the python step needs Python 3 with pandas, and none was found: ${tried.join('; ')}`, {
    hint: INSTALL_HINT,
  });
}
