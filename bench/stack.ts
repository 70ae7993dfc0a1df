// The benchmark's own stack, in one process: a Temporal dev server it starts (in memory), the emulator
// (in memory, its traffic watched by DeviceInboxes), the API with its embedded database, and two
// workers with the same activities: one runs the interpreter (the production bundle of
// workflows/index.ts), the other the hand-written twins, bundled on their own so that a hand-written
// execution never loads the interpreter's modules (the SDK evaluates a bundle's workflow modules
// again for every execution it loads, so a shared bundle would raise the floor). Like
// test/support/stack.ts, with what a benchmark needs besides: direct access to the emulator, the
// device hook, a "quiet" mode that drops delivery reports (so a history's length is deterministic),
// and a small HTTP target for make-http-request.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import twilio from 'twilio';
import { createActivities } from '../activities';
import { createTwilioClient } from '../activities/twilio-client';
import { createApp } from '../api/app';
import { openDatabase } from '../api/store/database';
import { ExecutionStore } from '../api/store/execution-store';
import { FlowStore } from '../api/store/flow-store';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, flowWebhookUrl, loadConfig, type Config } from '../common/config';
import { createLogger } from '../common/logger';
import { createEmulator, type Emulator } from '../emulator/app';
import { freePort, startDevServer, type DevServer } from '../scripts/dev-server';
import { findTemporalCli } from '../scripts/temporal-cli';
import { bundlerOptions, workflowBundlerOptions, WORKFLOWS_PATH } from '../worker/bundle';
import { createStudioWorker } from '../worker/create-worker';
import { DeviceInboxes } from './device-inbox';
import { postForm } from './http-client';

export const HAND_WRITTEN_WORKFLOWS_PATH = path.resolve(__dirname, 'hand-written-workflows.ts');
const REPO_ROOT = path.resolve(__dirname, '..');
const BUNDLE_CACHE_DIR = path.join(os.tmpdir(), 'studio-bench-bundles');

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * A workflow bundle, built once per version of the code it contains: webpack takes several seconds of
 * a busy machine, and `--quick` must stay under a minute. Keyed by the entry, the sources that can
 * reach a bundle (workflows/ and the benchmark's workflow files) and the lock file; a stale entry is
 * never used.
 */
async function workflowBundle(workflowsPath: string, log: (line: string) => void): Promise<string> {
  const hash = createHash('sha256').update(workflowsPath);
  const benchWorkflowFiles = ['hand-written-workflows.ts', 'flow-texts.ts'].map((name) => path.join(__dirname, name));
  const inputs = [...sourceFiles(path.join(REPO_ROOT, 'workflows')), ...benchWorkflowFiles].sort();
  for (const file of [...inputs, path.join(REPO_ROOT, 'package-lock.json'), path.join(REPO_ROOT, 'worker/bundle.ts')]) {
    hash.update(file).update(fs.readFileSync(file));
  }
  const name = `${path.basename(workflowsPath, '.ts')}-${hash.digest('hex').slice(0, 24)}.js`;
  const cached = path.join(BUNDLE_CACHE_DIR, name);
  if (fs.existsSync(cached)) {
    log(`workflow bundle from the cache (${cached})`);
    return fs.readFileSync(cached, 'utf8');
  }
  // The production bundle is built as the worker builds it (its modules preloaded, worker/bundle.ts); the
  // hand-written twins with the same compiler settings, and nothing to preload.
  const options = workflowsPath === WORKFLOWS_PATH ? workflowBundlerOptions : { webpackConfigHook: bundlerOptions };
  const { code } = await bundleWorkflowCode({ workflowsPath, ...options, logger: new DefaultLogger('WARN') });
  fs.mkdirSync(BUNDLE_CACHE_DIR, { recursive: true });
  // Only the latest bundle of each entry is kept.
  for (const old of fs.readdirSync(BUNDLE_CACHE_DIR)) {
    if (old.startsWith(`${path.basename(workflowsPath, '.ts')}-`)) fs.rmSync(path.join(BUNDLE_CACHE_DIR, old), { force: true });
  }
  fs.writeFileSync(`${cached}.tmp`, code);
  fs.renameSync(`${cached}.tmp`, cached);
  return code;
}

export interface BenchStack {
  temporal: Client;
  devServer: DevServer;
  /** The API's settings; its task queue has no worker (REST-trigger starts are measured alone). */
  config: Config;
  /** The task queues of the interpreter's worker and of the hand-written workflows' worker. */
  taskQueues: { interpreter: string; hand_written: string };
  apiUrl: string;
  emulatorUrl: string;
  emulator: Emulator;
  inboxes: DeviceInboxes;
  /** Answers any request with a small JSON body (make-http-request). */
  httpTargetUrl: string;
  /** The bundles the workers run (the replay-cost measurement replays histories with them). */
  workflowBundles: { interpreter: string; hand_written: string };
  /** While quiet, delivery reports (status callbacks, onDeliveryUpdated) of new sends are dropped. */
  setQuiet(quiet: boolean): void;
  readonly droppedDeliveryReports: number;
  stop(): Promise<void>;
}

/** Listens on a free local port; answers the server's base URL. */
export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A request's body as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export async function startBenchStack(log: (line: string) => void): Promise<BenchStack> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = Date.now();
  // The dev server, the bundle and the embedded database are the slow parts: side by side.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-bench-'));
  const [devServer, interpreterBundle, handWrittenBundle, database] = await Promise.all([
    (async () => {
      const cli = await findTemporalCli({ log });
      return startDevServer({ cliPath: cli.path, port: await freePort(), log });
    })(),
    workflowBundle(WORKFLOWS_PATH, log),
    workflowBundle(HAND_WRITTEN_WORKFLOWS_PATH, log),
    openDatabase({ dataDir }),
  ]);
  log(`dev server, workflow bundles and embedded database ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Idle keep-alive sockets must be closed by the clients, never by the servers: with both sides' 5 s
  // defaults, a request sent on a socket the server is closing at that moment fails with ECONNRESET
  // (seen between rounds of a full run; test/support/stack.ts does the same).
  const serverOptions: http.ServerOptions = { keepAliveTimeout: 60_000 };
  const apiServer = http.createServer(serverOptions);
  const emulatorServer = http.createServer(serverOptions);
  const quietProxy = http.createServer(serverOptions);
  const httpTarget = http.createServer(serverOptions, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"tier":"gold"}'));
  const [apiUrl, emulatorUrl, quietUrl, httpTargetUrl] = await Promise.all([listen(apiServer), listen(emulatorServer), listen(quietProxy), listen(httpTarget)]);
  const suffix = Math.random().toString(16).slice(2, 8);
  const config: Config = {
    ...loadConfig({}),
    temporalAddress: devServer.address,
    taskQueue: `bench-api-starts-${suffix}`,
    accountSid: DEFAULT_ACCOUNT_SID,
    authToken: DEFAULT_AUTH_TOKEN,
    publicUrl: apiUrl,
    twilioApiBaseUrl: emulatorUrl,
    dataDir,
    logLevel: 'warn',
  };
  const taskQueues = { interpreter: `bench-interpreter-${suffix}`, hand_written: `bench-hand-written-${suffix}` };

  const emulator = createEmulator({ accountSid: config.accountSid, authToken: config.authToken, publicUrl: apiUrl });
  const inboxes = new DeviceInboxes();
  emulatorServer.on('request', (req, res) => {
    inboxes.observe(req, res);
    void emulator.app(req, res);
  });

  // The quiet proxy stands where the flow webhook URL points while quiet: it drops delivery reports and
  // passes everything else to the gateway, signed again for the gateway's own URL.
  let dropped = 0;
  quietProxy.on('request', (req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const params = Object.fromEntries(new URLSearchParams(raw));
      if (params.EventType === 'onDeliveryUpdated' || params.MessageStatus !== undefined) {
        dropped++;
        res.writeHead(200).end();
        return;
      }
      const url = apiUrl + (req.url ?? '/');
      const forwarded = await postForm(url, raw, { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(config.authToken, url, params) });
      res.writeHead(forwarded.status).end(forwarded.body);
    })().catch((error: unknown) => res.writeHead(502).end(String(error)));
  });

  const connection = await Connection.connect({ address: devServer.address });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  const { app } = createApp({ config, temporal, flows: new FlowStore(database), executions: new ExecutionStore(database), log: createLogger('bench-api', 'warn') });
  apiServer.on('request', app);

  let quiet = false;
  const activities = createActivities({
    client: createTwilioClient(config.accountSid, config.authToken, emulatorUrl),
    flowWebhookUrl: (flowSid) => flowWebhookUrl({ publicUrl: quiet ? quietUrl : apiUrl, accountSid: config.accountSid }, flowSid),
    http: { accountSid: config.accountSid, authToken: config.authToken, twilioApiBaseUrl: emulatorUrl },
    studioApi: { baseUrl: apiUrl, accountSid: config.accountSid, authToken: config.authToken },
  });
  const nativeConnection = await NativeConnection.connect({ address: devServer.address });
  // The production wiring (createStudioWorker: interceptors, sinks) for both, with the benchmark's activities.
  const workers: Worker[] = await Promise.all(
    (
      [
        [taskQueues.interpreter, interpreterBundle],
        [taskQueues.hand_written, handWrittenBundle],
      ] as const
    ).map(([taskQueue, code]) =>
      createStudioWorker({ config: { ...config, taskQueue }, connection: nativeConnection, workflowBundle: { code }, overrides: { activities } }),
    ),
  );
  const running = workers.map((worker) => worker.run());
  log(`workers polling at ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return {
    temporal,
    devServer,
    config,
    taskQueues,
    apiUrl,
    emulatorUrl,
    emulator,
    inboxes,
    httpTargetUrl,
    workflowBundles: { interpreter: interpreterBundle, hand_written: handWrittenBundle },
    setQuiet(value) {
      quiet = value;
    },
    get droppedDeliveryReports() {
      return dropped;
    },
    async stop() {
      for (const worker of workers) worker.shutdown();
      await Promise.all(running.map((run) => run.catch(() => undefined)));
      await nativeConnection.close();
      await connection.close();
      await Promise.all([close(apiServer), close(quietProxy), close(httpTarget)]);
      await emulator.close();
      await close(emulatorServer);
      await database.close();
      await devServer.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
