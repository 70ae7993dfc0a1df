// Builds a worker for the Studio task queue: the interpreter workflow and the activities, wired to a
// Twilio client (real hosts or the emulator). Used by worker/main.ts and by the tests.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createTwilioClient } from '../activities/twilio-client';
import { flowWebhookUrl, type Config } from '../common/config';
import { bundlerOptions, WORKFLOWS_PATH } from './bundle';

export interface CreateWorkerOptions {
  config: Config;
  connection: NativeConnection;
  /** A prebuilt bundle (tests build one and share it); otherwise the worker bundles at start. */
  workflowBundle?: { code: string } | { codePath: string };
  overrides?: Partial<WorkerOptions>;
}

export async function createStudioWorker({ config, connection, workflowBundle, overrides }: CreateWorkerOptions): Promise<Worker> {
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
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { webpackConfigHook: bundlerOptions } }),
    ...overrides,
  });
}
