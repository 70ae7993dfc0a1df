// The API process: Studio v2 API + webhook gateway + pages, on PORT.
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createApp } from './app';
import { answerClientErrorsInTwilioShape } from './client-errors';
import { createApiMetrics } from './metrics';
import { startRetentionSweeper } from './retention';
import { openDatabase } from './store/database';
import { ExecutionStore } from './store/execution-store';
import { FlowStore } from './store/flow-store';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', config.logLevel, undefined, [config.authToken]);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const connection = await Connection.connect({ address: config.temporalAddress ?? `127.0.0.1:${config.temporalDevServerPort}` });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  const executions = new ExecutionStore(database);
  const { app } = createApp({ config, temporal, flows: new FlowStore(database), executions, log, metrics: createApiMetrics({ processMetrics: true }) });
  const retention = startRetentionSweeper(executions, log);
  const server = app.listen(config.port, '0.0.0.0', () => log.info({ port: config.port, database: database.kind }, 'api listening'));
  answerClientErrorsInTwilioShape(server);
  const stop = () => {
    log.info('api stopping');
    retention.stop();
    server.close(() => {
      void Promise.all([database.close(), connection.close()]).finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
