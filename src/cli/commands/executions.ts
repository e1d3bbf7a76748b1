import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
import type { ProjectRuntime } from '../../pipeline/project/ProjectRuntime.js';
import type { ExecutionStatus } from '../../pipeline/store/ExecutionStore.js';

const STATUSES = ['running', 'waiting', 'succeeded', 'failed', 'skipped'];

const format = () => import('../../pipeline/formatExecution.js');

async function withRuntime(projectDir: string | undefined, fn: (r: ProjectRuntime) => void | Promise<void>): Promise<void> {
  const [{ loadProject }, { ProjectRuntime }] = await Promise.all([
    import('../../pipeline/project/loadProject.js'),
    import('../../pipeline/project/ProjectRuntime.js'),
  ]);
  const runtime = await ProjectRuntime.open(loadProject(projectDir));
  return Promise.resolve(fn(runtime)).finally(() => runtime.close());
}

/** `sluice executions list|show|history|redrive`. */
export function register(program: Command): void {
  const ex = program.command('executions').description('list and inspect executions');
  ex.command('list')
    .description('executions, newest first')
    .option('-p, --project <dir>', 'project folder')
    .option('-s, --status <status>', `only this status (${STATUSES.join(', ')})`)
    .option('-f, --file <text>', 'only files whose path contains this')
    .option('-n, --limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action((o: { project?: string; status?: string; file?: string; limit: string; json?: boolean }) =>
      withRuntime(o.project, async (r) => {
        const { formatExecutionList } = await format();
        if (o.status && !STATUSES.includes(o.status)) {
          throw new SluiceError('BAD_OPTION', `unknown status "${o.status}"`, { hint: `use one of ${STATUSES.join(', ')}` });
        }
        const rows = await r.store.list({ status: o.status as ExecutionStatus | undefined, file: o.file, limit: Number(o.limit) || 50 });
        process.stdout.write(
          `${
            o.json
              ? JSON.stringify(
                  rows.map(({ definition: _d, ...x }) => x),
                  null,
                  2,
                )
              : formatExecutionList(rows)
          }\n`,
        );
      }),
    );
  ex.command('show')
    .description('an execution: status, and the pipeline drawn with the current state marked')
    .argument('<id>')
    .option('-p, --project <dir>', 'project folder')
    .action((id: string, o: { project?: string }) =>
      withRuntime(o.project, async (r) => {
        const { formatExecution } = await format();
        process.stdout.write(`${formatExecution(await r.store.require(id), await r.store.events(id))}\n`);
      }),
    );
  ex.command('history')
    .description("an execution's event history, one event per line")
    .argument('<id>')
    .option('-p, --project <dir>', 'project folder')
    .option('--json', 'print JSON')
    .action((id: string, o: { project?: string; json?: boolean }) =>
      withRuntime(o.project, async (r) => {
        const { formatHistory } = await format();
        await r.store.require(id);
        const events = await r.store.events(id);
        process.stdout.write(`${o.json ? JSON.stringify(events, null, 2) : formatHistory(events)}\n`);
      }),
    );
  ex.command('redrive')
    .description('restart a failed execution from its failed step (what succeeded is kept), or resume a paused one (disk full) now')
    .argument('<id>')
    .option('-p, --project <dir>', 'project folder')
    .action((id: string, o: { project?: string }) =>
      withRuntime(o.project, async (r) => {
        await r.orchestrator.redrive(id, `cli:${process.env.USER ?? 'operator'}`);
        process.stdout.write(`${id} redriven; a running \`sluice serve\` resumes it\n`);
      }),
    );
}
