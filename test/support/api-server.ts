// The API alone, for unit tests: createApp on a port of its own, with its database in a fresh directory
// (or at `databaseUrl`) and a Temporal client that is never connected — what these tests exercise must
// never reach Temporal (a request that did would fail with a 5xx).
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { answerClientErrorsInTwilioShape } from '../../api/client-errors';
import { openDatabase, type Database } from '../../api/store/database';
import { ExecutionStore } from '../../api/store/execution-store';
import { FlowStore } from '../../api/store/flow-store';
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';

export interface ApiServer {
  apiUrl: string;
  database: Database;
  stop(): Promise<void>;
}

/**
 * `dataDirPrefix` names the temporary data directory. A PostgreSQL at `databaseUrl` is shared between
 * runs, so its tables are dropped first: every run starts from an empty database, as the embedded one does.
 */
export async function startApiServer(dataDirPrefix: string, options: { databaseUrl?: string } = {}): Promise<ApiServer> {
  const { databaseUrl } = options;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), dataDirPrefix));
  if (databaseUrl) {
    const reset = await openDatabase({ databaseUrl, dataDir });
    await reset.query('DROP TABLE IF EXISTS executions, flow_revisions, flows CASCADE');
    await reset.close();
  }
  const database = await openDatabase({ databaseUrl, dataDir });
  const server = http.createServer();
  answerClientErrorsInTwilioShape(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { ...loadConfig({}), publicUrl: apiUrl, dataDir };
  const { app } = createApp({ config, temporal: new Client(), flows: new FlowStore(database), executions: new ExecutionStore(database), log: createLogger('test', 'silent') });
  server.on('request', app);
  return {
    apiUrl,
    database,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
