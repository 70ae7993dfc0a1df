// The whole stack in one test process: emulator, API (with its embedded database) and a worker on a
// task queue of its own, against the real dev server of the global setup. Each test file gets a
// fresh one, so files never see each other's executions.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import twilio from 'twilio';
import { createApp } from '../../api/app';
import type { ExecutionService } from '../../api/execution-service';
import { openDatabase, type Database } from '../../api/store/database';
import { ExecutionStore } from '../../api/store/execution-store';
import { FlowStore } from '../../api/store/flow-store';
import { createTwilioClient, type TwilioClient } from '../../activities/twilio-client';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, loadConfig, type Config } from '../../common/config';
import { createLogger } from '../../common/logger';
import { createEmulator } from '../../emulator/app';
import { createStudioWorker } from '../../worker/create-worker';
import { PinoTemporalLogger } from '../../worker/runtime';
import { readTestEnvironment, REPO_ROOT } from './paths';

export interface Stack {
  config: Config;
  apiUrl: string;
  emulatorUrl: string;
  temporal: Client;
  service: ExecutionService;
  database: Database;
  /** The real twilio client pointed at our API (Studio) and the emulator (everything else). */
  twilio: TwilioClient;
  worker: Worker;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let runtimeQuiet = false;

/**
 * `logLines`: every line the API, the worker and the worker's SDK runtime log at debug level is pushed
 * there, through the loggers api/main.ts and worker/main.ts use (so with their redaction).
 */
export async function startStack(options: { taskQueue?: string; inProcessWorker?: boolean; logLines?: string[] } = {}): Promise<Stack> {
  const { logLines } = options;
  const keepLines = logLines && { write: (line: string) => logLines.push(line) };
  const workerLog = keepLines && createLogger('worker', 'debug', keepLines, [DEFAULT_AUTH_TOKEN]);
  if (!runtimeQuiet) {
    // Keep the SDK's own logging to warnings (test output stays readable), or all of it for a test that reads it.
    const { DefaultLogger } = require('@temporalio/worker') as typeof import('@temporalio/worker');
    Runtime.install({ logger: workerLog ? new PinoTemporalLogger(workerLog.child({ sdk: 'temporal' })) : new DefaultLogger('WARN') });
    runtimeQuiet = true;
  }
  const environment = readTestEnvironment();
  // Idle keep-alive sockets must be closed by the client, never by the server: Node's client agent
  // drops them after 5 s, the server's default is also 5 s, and a request sent on a socket the server
  // is closing at that moment fails with ECONNRESET (seen after an idle gap in a test).
  const apiServer = http.createServer({ keepAliveTimeout: 60_000 });
  const emulatorServer = http.createServer({ keepAliveTimeout: 60_000 });
  const apiUrl = `http://127.0.0.1:${await listen(apiServer)}`;
  const emulatorUrl = `http://127.0.0.1:${await listen(emulatorServer)}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-test-stack-'));
  const config: Config = {
    ...loadConfig({}),
    temporalAddress: environment.temporalAddress,
    taskQueue: options.taskQueue ?? `test-${Math.random().toString(16).slice(2)}`,
    accountSid: DEFAULT_ACCOUNT_SID,
    authToken: DEFAULT_AUTH_TOKEN,
    publicUrl: apiUrl,
    twilioApiBaseUrl: emulatorUrl,
    dataDir,
    logLevel: 'warn',
  };
  const log = keepLines ? createLogger('api', 'debug', keepLines, [config.authToken]) : createLogger('test', 'warn');

  const emulator = createEmulator({ accountSid: config.accountSid, authToken: config.authToken, publicUrl: apiUrl, stateFile: path.join(dataDir, 'emulator-state.json') });
  emulatorServer.on('request', emulator.app);

  const database = await openDatabase({ dataDir });
  const connection = await Connection.connect({ address: environment.temporalAddress });
  const temporal = new Client({ connection, namespace: environment.namespace });
  const { app, service } = createApp({ config, temporal, flows: new FlowStore(database), executions: new ExecutionStore(database), log });
  apiServer.on('request', app);

  const nativeConnection = await NativeConnection.connect({ address: environment.temporalAddress });
  let worker!: Worker;
  let running: Promise<void> | null = null;
  const stack: Stack = {
    config,
    apiUrl,
    emulatorUrl,
    temporal,
    service,
    database,
    twilio: studioClient(apiUrl, emulatorUrl),
    get worker() {
      return worker;
    },
    async startWorker() {
      worker = await createStudioWorker({ config, connection: nativeConnection, workflowBundle: { codePath: environment.workflowBundlePath }, log: workerLog });
      running = worker.run();
    },
    async stopWorker() {
      if (!running) return;
      worker.shutdown();
      await running;
      running = null;
    },
    async stop() {
      await stack.stopWorker();
      await nativeConnection.close();
      await connection.close();
      await new Promise((resolve) => apiServer.close(resolve));
      await emulator.close();
      await new Promise((resolve) => emulatorServer.close(resolve));
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (options.inProcessWorker !== false) await stack.startWorker();
  return stack;
}

/** Environment for a child process of the stack (worker/main.ts, api/main.ts) talking to this stack. */
export function childEnvironment(stack: Stack): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: stack.config.temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.config.taskQueue,
    TWILIO_ACCOUNT_SID: stack.config.accountSid,
    TWILIO_AUTH_TOKEN: stack.config.authToken,
    TWILIO_API_BASE_URL: stack.emulatorUrl,
    PUBLIC_URL: stack.apiUrl,
    DATA_DIR: stack.config.dataDir,
    LOG_LEVEL: 'info',
    // Test workers run side by side: no fixed metrics ports (any free one; SDK metrics off).
    WORKER_METRICS_PORT: '0',
    WORKER_SDK_METRICS_PORT: '0',
  };
}

/** Starts worker/main.ts as its own process (so it can be SIGKILLed) and resolves once it polls. */
export async function spawnWorkerProcess(stack: Stack, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'worker/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...childEnvironment(stack), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before polling:\n${output}`)));
    setTimeout(() => reject(new Error(`worker did not start polling within 90 s:\n${output}`)), 90_000).unref();
  });
  return child;
}

/** The real twilio npm client with Studio's host sent to our API and every other host to the emulator. */
export function studioClient(apiUrl: string, emulatorUrl: string): TwilioClient {
  // The API's own host too: its next_page_url is absolute on the host it was called by, and the client follows it as is.
  return createTwilioClient(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, { 'studio.twilio.com': apiUrl, [new URL(apiUrl).host]: apiUrl, '*': emulatorUrl });
}

/** Polls until `check` returns a value (not a sleep: a bounded wait on a condition). */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** The phone `device()` answers. */
export type Device = ReturnType<typeof device>;

/** The device API of the emulator (DESIGN.md): send as a phone, read what the phone received. */
export function device(emulatorUrl: string) {
  return {
    async send(from: string, to: string, body: string): Promise<{ conversation_sid?: string; message_sid: string }> {
      const response = await fetch(`${emulatorUrl}/Emulator/Inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ From: from, To: to, Body: body }),
      });
      if (response.status !== 201) throw new Error(`Emulator/Inbound answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { conversation_sid?: string; message_sid: string };
    },
    async received(address: string): Promise<{ sid: string; conversation_sid?: string; from: string; to: string; body: string }[]> {
      const response = await fetch(`${emulatorUrl}/Emulator/Outbound?To=${encodeURIComponent(address)}`);
      return ((await response.json()) as { messages: { sid: string; conversation_sid?: string; from: string; to: string; body: string }[] }).messages;
    },
    /** `status` (default 500, which activities retry) 4xx makes the failure final at once, as Twilio refusing. */
    async fault(operation: string, options: { address?: string; count?: number; status?: number; code?: number } = {}): Promise<void> {
      const body = new URLSearchParams({ Operation: operation });
      if (options.address) body.set('Address', options.address);
      if (options.count) body.set('Count', String(options.count));
      if (options.status) body.set('Status', String(options.status));
      if (options.code) body.set('Code', String(options.code));
      const response = await fetch(`${emulatorUrl}/Emulator/Faults`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      if (!response.ok) throw new Error(`Emulator/Faults answered ${response.status}`);
    },
  };
}

export { twilio };
