// A worker process for the hand-written workflows (the memory reference beside worker/main.ts): the
// production worker's wiring (createStudioWorker: activities, interceptors, sinks) with the
// hand-written bundle. Started by bench/worker-memory.ts with the environment worker/main.ts reads,
// plus BENCH_WORKFLOW_BUNDLE (the bundle's file).
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createStudioWorker } from '../worker/create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE;
  if (!bundlePath) throw new Error('BENCH_WORKFLOW_BUNDLE is not set');
  const log = createLogger('bench-worker', config.logLevel);
  const connection = await NativeConnection.connect({ address: config.temporalAddress ?? `127.0.0.1:${config.temporalDevServerPort}` });
  const worker = await createStudioWorker({ config, connection, log, workflowBundle: { codePath: bundlePath } });
  log.info({ taskQueue: config.taskQueue }, 'worker polling');
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
