// The worker process: polls the Studio task queue until SIGINT/SIGTERM, then drains and exits.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createStudioWorker } from './create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  const address = config.temporalAddress ?? `127.0.0.1:${config.temporalDevServerPort}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await createStudioWorker({ config, connection });
  log.info({ address, namespace: config.temporalNamespace, taskQueue: config.taskQueue }, 'worker polling');
  await worker.run(); // Worker installs SIGINT/SIGTERM handlers that shut it down gracefully
  await connection.close();
  log.info('worker stopped');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
