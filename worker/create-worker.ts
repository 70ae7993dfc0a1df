// Builds a worker for the Studio task queue: the interpreter workflow and the activities, wired to a
// Twilio client (real hosts or the emulator). Used by worker/main.ts and by the tests.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createTwilioClient } from '../activities/twilio-client';
import { flowWebhookUrl, type Config } from '../common/config';
import { createLogger, type Logger } from '../common/logger';
import { activityLogging } from './activity-logging';
import { workflowBundlerOptions, WORKFLOWS_PATH } from './bundle';
import { createWorkerMetrics, studioSinks, type WorkerMetrics } from './metrics';

export interface CreateWorkerOptions {
  config: Config;
  connection: NativeConnection;
  /** A prebuilt bundle (worker/main.ts builds one in a child process; tests build one and share it); otherwise bundled here. */
  workflowBundle?: { code: string } | { codePath: string };
  overrides?: Partial<WorkerOptions>;
  /** Activity and execution-end lines (default: a logger at config.logLevel on stdout). */
  log?: Logger;
  /** Where the workflow's sinks count (default: a registry nobody serves). */
  metrics?: WorkerMetrics;
}

export async function createStudioWorker({ config, connection, workflowBundle, overrides, log, metrics }: CreateWorkerOptions): Promise<Worker> {
  const workerLog = log ?? createLogger('worker', config.logLevel, undefined, [config.authToken]);
  const client = createTwilioClient(config.accountSid, config.authToken, config.twilioApiBaseUrl);
  const activities = createActivities({
    client,
    flowWebhookUrl: (flowSid) => flowWebhookUrl(config, flowSid),
    http: { accountSid: config.accountSid, authToken: config.authToken, twilioApiBaseUrl: config.twilioApiBaseUrl },
    studioApi: { baseUrl: config.publicUrl, accountSid: config.accountSid, authToken: config.authToken },
  });
  return Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities,
    interceptors: { activity: [activityLogging(workerLog)] },
    sinks: studioSinks(metrics ?? createWorkerMetrics(), workerLog),
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: workflowBundlerOptions }),
    ...overrides,
  });
}
