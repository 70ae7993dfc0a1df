// The run-time contract of DESIGN.md in one place: every process reads its settings here, and the
// docker-compose test checks the compose file against these names and defaults.
import * as path from 'node:path';

/** Local defaults: a well-known fake account, so the emulator, the API and the tests agree out of the box. */
export const DEFAULT_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const DEFAULT_AUTH_TOKEN = 'local-dev-auth-token';

export const TASK_QUEUE_DEFAULT = 'studio-executions';

export interface Config {
  port: number;
  emulatorPort: number;
  temporalAddress: string | undefined; // unset: npm start embeds a dev server
  temporalNamespace: string;
  temporalUiPort: number;
  /** Port of the embedded dev server's frontend (only when TEMPORAL_ADDRESS is unset). */
  temporalDevServerPort: number;
  taskQueue: string;
  accountSid: string;
  authToken: string;
  publicUrl: string;
  twilioApiBaseUrl: string | undefined; // unset: real Twilio hosts
  dataDir: string;
  databaseUrl: string | undefined; // unset: embedded database under dataDir
  logLevel: string;
  /** The worker's Prometheus endpoint (GET /metrics): Studio counters and the Temporal SDK's metrics; 0 = any free port. */
  workerMetricsPort: number;
  /** Loopback port where the Temporal SDK core exports its metrics, re-served on workerMetricsPort; 0 = SDK metrics off. */
  workerSdkMetricsPort: number;
  /** How many executions the worker keeps in memory between their tasks (Temporal's maxCachedWorkflows); 0 = none. */
  workerMaxCachedWorkflows: number;
}

/** Every environment variable the stack reads, with its default (documented in the README). */
export const ENVIRONMENT = {
  PORT: '3000',
  EMULATOR_PORT: '3001',
  TEMPORAL_ADDRESS: '',
  TEMPORAL_NAMESPACE: 'default',
  TEMPORAL_UI_PORT: '8233',
  TEMPORAL_DEV_SERVER_PORT: '7233',
  TEMPORAL_TASK_QUEUE: TASK_QUEUE_DEFAULT,
  TWILIO_ACCOUNT_SID: DEFAULT_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: DEFAULT_AUTH_TOKEN,
  PUBLIC_URL: 'http://127.0.0.1:3000',
  TWILIO_API_BASE_URL: '',
  DATA_DIR: './.data',
  DATABASE_URL: '',
  LOG_LEVEL: 'info',
  WORKER_METRICS_PORT: '9464',
  WORKER_SDK_METRICS_PORT: '9465',
  // About 0.4 MB each (npm run bench); with 1,000 the worker stays under 1 GB however many executions wait.
  WORKER_MAX_CACHED_WORKFLOWS: '1000',
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENT;

function read(env: NodeJS.ProcessEnv, name: EnvironmentName): string {
  const value = env[name];
  return value === undefined || value === '' ? ENVIRONMENT[name] : value;
}

function readPort(env: NodeJS.ProcessEnv, name: EnvironmentName): number {
  const raw = read(env, name);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

function readCount(env: NodeJS.ProcessEnv, name: EnvironmentName): number {
  const raw = read(env, name);
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return count;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const optional = (name: EnvironmentName) => read(env, name) || undefined;
  return {
    port: readPort(env, 'PORT'),
    emulatorPort: readPort(env, 'EMULATOR_PORT'),
    temporalAddress: optional('TEMPORAL_ADDRESS'),
    temporalNamespace: read(env, 'TEMPORAL_NAMESPACE'),
    temporalUiPort: readPort(env, 'TEMPORAL_UI_PORT'),
    temporalDevServerPort: readPort(env, 'TEMPORAL_DEV_SERVER_PORT'),
    taskQueue: read(env, 'TEMPORAL_TASK_QUEUE'),
    accountSid: read(env, 'TWILIO_ACCOUNT_SID'),
    authToken: read(env, 'TWILIO_AUTH_TOKEN'),
    publicUrl: read(env, 'PUBLIC_URL').replace(/\/+$/, ''),
    twilioApiBaseUrl: optional('TWILIO_API_BASE_URL')?.replace(/\/+$/, ''),
    dataDir: path.resolve(read(env, 'DATA_DIR')),
    databaseUrl: optional('DATABASE_URL'),
    logLevel: read(env, 'LOG_LEVEL'),
    workerMetricsPort: readPort(env, 'WORKER_METRICS_PORT'),
    workerSdkMetricsPort: readPort(env, 'WORKER_SDK_METRICS_PORT'),
    workerMaxCachedWorkflows: readCount(env, 'WORKER_MAX_CACHED_WORKFLOWS'),
  };
}

/** The flow webhook URL, as Twilio's `webhook_url` (DESIGN.md). */
export function flowWebhookUrl(config: Pick<Config, 'publicUrl' | 'accountSid'>, flowSid: string): string {
  return `${config.publicUrl}/v1/Accounts/${config.accountSid}/Flows/${flowSid}`;
}
