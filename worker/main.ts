// The worker process: polls the Studio task queue until SIGINT/SIGTERM, then drains and exits. It
// serves its Prometheus metrics on WORKER_METRICS_PORT (worker/metrics-server.ts).
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { bundleInChildProcess } from './bundle-in-child';
import { createStudioWorker } from './create-worker';
import { createWorkerMetrics } from './metrics';
import { startMetricsServer } from './metrics-server';
import { installWorkerRuntime } from './runtime';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel, undefined, [config.authToken]);
  const sdkMetricsAddress = installWorkerRuntime(config, log);
  const metrics = createWorkerMetrics();
  // A taken metrics port costs the metrics, never the worker (npm start beside another stack).
  const metricsServer = await startMetricsServer({ port: config.workerMetricsPort, registry: metrics.registry, sdkMetricsAddress }).then(
    (server) => {
      log.info({ port: server.port, sdkMetricsAddress }, 'worker metrics listening');
      return server;
    },
    (error: unknown) => {
      log.error({ err: error, port: config.workerMetricsPort }, 'worker metrics not served (set WORKER_METRICS_PORT to a free port)');
      return null;
    },
  );
  const address = config.temporalAddress ?? `127.0.0.1:${config.temporalDevServerPort}`;
  const connection = await NativeConnection.connect({ address });
  const workflowBundle = await bundleInChildProcess();
  const worker = await createStudioWorker({ config, connection, log, metrics, workflowBundle });
  log.info({ address, namespace: config.temporalNamespace, taskQueue: config.taskQueue }, 'worker polling');
  await worker.run(); // Worker installs SIGINT/SIGTERM handlers that shut it down gracefully
  await connection.close();
  await metricsServer?.close();
  log.info('worker stopped');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
