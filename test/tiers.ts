/**
 * The test tiers. `npm test` runs every file (CI). `npm run test:fast` (vitest.fast.config.ts)
 * leaves out the files below: each needs a browser, wall-clock training, the whole demo, killed
 * processes or load. Everything else needs none of these and runs in the fast tier.
 * test/tiers.test.ts checks that every file named here exists, so the list cannot rot.
 */
export const SLOW_TESTS: Readonly<Record<string, string>> = {
  'test/profile/reportHtml.test.ts': 'Chromium renders the report',
  'test/server/auth/browser.test.ts': 'Chromium signs in',
  'test/e2e/console.e2e.test.ts': 'Chromium drives the console through a whole pipeline',
  'test/demo/demo.test.ts': 'the whole demo: flow, report, approval, features, AutoML, endpoint',
  'test/demo/demoProject.test.ts': 'trains the demo model',
  'test/training/diabetes.test.ts': 'AutoML on the diabetes data within a time limit',
  'test/training/cli.test.ts': 'sluice train within time limits',
  'test/training/judgement.test.ts': 'trains to show dropped and refused columns',
  'test/ml/automl.test.ts': 'AutoML searches within time limits',
  'test/pipeline/modelActivities.test.ts': 'the pipeline trains and deploys models',
  'test/pipeline/activityContract.test.ts': 'runs the default pipeline, training included, to replay each activity',
  'test/server/console/pipelineModel.test.ts': 'the pipeline trains a model for the console',
  'test/pipeline/faultReal.test.ts': 'a real worker process trains while faults are injected',
  'test/pipeline/crash.test.ts': 'worker processes are killed (SIGKILL) and restarted',
  'test/pipeline/queue/workerFaults.test.ts': 'three sluice workers train 20 executions while being killed, PostgreSQL restarted',
  'test/pipeline/queue/endToEndPostgres.test.ts': 'serve --no-work and two sluice workers take the diabetes batch from inbox to champion (AutoML)',
  'test/bench/workersHarness.test.ts': 'the workers benchmark run small: PostgreSQL, sluice serve and worker processes, about a minute',
  'test/features/crash.test.ts': 'an ingesting process is killed (SIGKILL)',
  'test/server/openLoop.test.ts': 'open-loop load on the endpoint',
};

/**
 * The longest files, longest first. The suite starts them first (test/setup/longestFirst.ts), so
 * that no long file starts last and runs alone while the other workers idle. Vitest orders by the
 * durations of the previous run only when it has them (not on a clean clone or in CI). Seconds of
 * one file: those of SLOW_TESTS in a full run (3 workers, 2-core machine, Dec 4, `npx vitest run
 * --reporter=json`), then the fast tier's in `npm run test:fast` (Dec 4 22:18 UTC, load average
 * 10-14, `--reporter=json`), where driftFile, started at 206 s of 232 by Vitest's own order,
 * ended the run.
 */
export const LONGEST_FIRST: readonly string[] = [
  'test/pipeline/faultReal.test.ts', // 103 s
  'test/demo/demo.test.ts', // 103 s
  'test/pipeline/crash.test.ts', // 55 s
  'test/features/crash.test.ts', // 52 s
  'test/e2e/console.e2e.test.ts', // 35 s
  'test/pipeline/queue/workerFaults.test.ts', // 34 s
  'test/pipeline/modelActivities.test.ts', // 32 s
  'test/pipeline/queue/endToEndPostgres.test.ts', // 29 s
  'test/training/diabetes.test.ts', // 16 s
  // The fast tier's
  'test/flow/python.test.ts', // 31 s
  'test/flow/corpus.test.ts', // 23 s
  'test/server/endpointReplicas.test.ts', // 23 s
  'test/demo/driftFile.test.ts', // 23 s
  'test/flow/partitions/conformance.test.ts', // 34 s, ~21 s since its partitions are tables
  'test/training/pythonServing.test.ts', // 21 s
  'test/server/endpointWorkers.test.ts', // 21 s
  'test/state/backup.test.ts', // 18 s
  'test/profile/pandasParity.test.ts', // 17 s
  'test/flow/importCli.test.ts', // 17 s
  'test/pipeline/queue/workerCli.test.ts', // 17 s
  'test/features/dataset.test.ts', // 17 s
  'test/flow/steps.test.ts', // 16 s
  'test/profile/quickModelWorker.test.ts', // 16 s
  'test/ml/gbdtThreads.test.ts', // 15 s
  'test/flow/steps-rows.test.ts', // 13 s
  'test/profile/judgement.test.ts', // 13 s
  'test/state/diskFullTmpfs.test.ts', // 12.5 s
  // Long in the run at 23:11 (load 17-19), where the files above took about twice as long: 32 s, 29 s
  'test/server/servingV8Flags.test.ts',
  'test/onnx/exportOnnx.test.ts',
];
