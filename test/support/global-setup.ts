// Integration tests run against a REAL Temporal dev server (the official CLI, found or built by
// scripts/temporal-cli.ts), started once here with its Web UI, and a workflow bundle built once
// that every test worker reuses.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleWorkflows } from '../../worker/bundle';
import { freePort, startDevServer } from '../../scripts/dev-server';
import { findTemporalCli } from '../../scripts/temporal-cli';
import { TEST_DATA_DIR, type TestEnvironment } from './paths';

export default async function globalSetup(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[test setup] ${line}\n`);
  const cli = await findTemporalCli({ log });
  const [port, uiPort] = [await freePort(), await freePort()];
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-test-temporal-'));
  const server = await startDevServer({
    cliPath: cli.path,
    port,
    uiPort,
    dbFile: path.join(dbDir, 'temporal.db'),
    log,
    // Forces continue-as-new early enough for the long-execution test to see it.
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=120'],
  });
  (globalThis as { __TEMPORAL_DEV_SERVER__?: unknown }).__TEMPORAL_DEV_SERVER__ = server;

  fs.mkdirSync(TEST_DATA_DIR, { recursive: true });
  const bundle = await bundleWorkflows();
  const workflowBundlePath = path.join(TEST_DATA_DIR, `workflow-bundle-${process.pid}.js`);
  fs.writeFileSync(workflowBundlePath, bundle.code);
  const environment: TestEnvironment = { temporalAddress: server.address, uiUrl: server.uiUrl ?? '', namespace: 'default', workflowBundlePath, cliPath: cli.path };
  // The test workers inherit this variable: each jest run reads its own server's file.
  process.env.STUDIO_TEST_ENVIRONMENT_FILE = path.join(TEST_DATA_DIR, `temporal-test-environment-${process.pid}.json`);
  fs.writeFileSync(process.env.STUDIO_TEST_ENVIRONMENT_FILE, JSON.stringify(environment, null, 2));
  log(`Temporal dev server at ${server.address}, Web UI at ${server.uiUrl}`);
}
