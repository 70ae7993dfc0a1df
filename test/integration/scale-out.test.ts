// Scale-out (issue 7.4, DESIGN.md "Scale-out is Temporal's"): two API instances and two workers, as
// separate deployments would run them, against one Temporal server (the test's dev server) and one
// PostgreSQL. The instances share nothing but those two: an execution created through instance 1
// resumes on the device's reply that reaches instance 2; a conversation that instance 2 started
// continues through instance 1; one contact's concurrent creates on both instances give one execution;
// and 20 executions spread their work over both workers (each records its identity in the histories).
// Both instances also start together against a fresh database. Needs TEST_DATABASE_URL (set by .ci/run);
// it works in a database of its own, studio_scale_out, so that no other test's DROP TABLE reaches it.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { isolatedDatabaseUrl } from '../support/isolated-postgres';
import { openDatabase, type Database } from '../../api/store/database';
import { ExecutionStore } from '../../api/store/execution-store';
import { FlowStore } from '../../api/store/flow-store';
import type { TwilioClient } from '../../activities/twilio-client';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, flowWebhookUrl, loadConfig, type Config } from '../../common/config';
import { createLogger } from '../../common/logger';
import { createEmulator, type Emulator } from '../../emulator/app';
import { createStudioWorker } from '../../worker/create-worker';
import { flow, sendAndWait, sendMessage, startConversation, trigger, type LoggedWebhook } from '../support/conversation-flows';
import { readTestEnvironment } from '../support/paths';
import { device, studioClient, waitFor } from '../support/stack';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
const SCALE_OUT_DATABASE = 'studio_scale_out';
if (!TEST_DATABASE_URL) console.warn('skipping the scale-out test: TEST_DATABASE_URL is not set (.ci/run sets it to a local PostgreSQL)');
const describeWithPostgres = TEST_DATABASE_URL ? describe : describe.skip;

const PROXY = '+15005550701';
const SMS_NUMBER = '+15005550702';
const WORKER_IDENTITIES = ['studio-worker-a', 'studio-worker-b'];


async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface ApiInstance {
  url: string;
  twilio: TwilioClient;
  server: http.Server;
  database: Database;
  connection: Connection;
}

describeWithPostgres('two API instances and two workers on one Temporal and one PostgreSQL', () => {
  const environment = readTestEnvironment();
  const taskQueue = `scale-out-${Math.random().toString(16).slice(2)}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-scale-out-'));
  const apis: ApiInstance[] = [];
  const workers: { worker: Worker; running: Promise<void>; connection: NativeConnection }[] = [];
  let emulator: Emulator;
  let emulatorServer: http.Server;
  let emulatorUrl: string;
  let phone: ReturnType<typeof device>;
  let surveySid: string;
  let smsFlowSid: string;

  const baseConfig = (publicUrl: string): Config => ({
    ...loadConfig({}),
    temporalAddress: environment.temporalAddress,
    taskQueue,
    accountSid: DEFAULT_ACCOUNT_SID,
    authToken: DEFAULT_AUTH_TOKEN,
    publicUrl,
    twilioApiBaseUrl: undefined,
    dataDir,
    logLevel: 'warn',
  });

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const databaseUrl = await isolatedDatabaseUrl(TEST_DATABASE_URL!, SCALE_OUT_DATABASE);
    const apiServers = [http.createServer({ keepAliveTimeout: 60_000 }), http.createServer({ keepAliveTimeout: 60_000 })];
    const apiUrls = await Promise.all(apiServers.map(listen));
    emulatorServer = http.createServer({ keepAliveTimeout: 60_000 });
    emulatorUrl = await listen(emulatorServer);
    // Twilio (the emulator) knows the gateway as instance 2: that is where every webhook goes.
    emulator = createEmulator({ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, publicUrl: apiUrls[1] });
    emulatorServer.on('request', emulator.app);
    phone = device(emulatorUrl);

    // Both instances start at once on the empty database, as two replicas of a deployment would.
    const databases = await Promise.all(apiUrls.map(() => openDatabase({ databaseUrl, dataDir })));
    for (const [index, url] of apiUrls.entries()) {
      const connection = await Connection.connect({ address: environment.temporalAddress });
      const temporal = new Client({ connection, namespace: environment.namespace });
      const config = { ...baseConfig(url), twilioApiBaseUrl: emulatorUrl };
      const { app } = createApp({ config, temporal, flows: new FlowStore(databases[index]), executions: new ExecutionStore(databases[index]), log: createLogger(`api-${index + 1}`, 'warn') });
      apiServers[index].on('request', app);
      apis.push({ url, twilio: studioClient(url, emulatorUrl), server: apiServers[index], database: databases[index], connection });
    }
    // The workers register the flow webhook (PUBLIC_URL) of instance 2, like the emulator.
    for (const identity of WORKER_IDENTITIES) {
      const connection = await NativeConnection.connect({ address: environment.temporalAddress });
      const worker = await createStudioWorker({
        config: { ...baseConfig(apiUrls[1]), twilioApiBaseUrl: emulatorUrl },
        connection,
        workflowBundle: { codePath: environment.workflowBundlePath },
        overrides: { identity },
      });
      workers.push({ worker, running: worker.run(), connection });
    }

    const [api1] = apis;
    surveySid = (
      await api1.twilio.studio.v2.flows.create({
        friendlyName: 'scale-out survey',
        status: 'published',
        definition: flow([
          trigger({ incomingRequest: 'start' }),
          startConversation('start', { created: 'ask' }),
          sendAndWait('ask', 'How was it?', { incomingMessage: 'thanks' }),
          sendMessage('thanks', 'Thanks for "{{widgets.ask.inbound.Body}}"'),
        ]) as unknown as object,
      })
    ).sid;
    smsFlowSid = (
      await api1.twilio.studio.v2.flows.create({
        friendlyName: 'scale-out sms',
        status: 'published',
        definition: flow([trigger({ incomingMessage: 'ask' }), sendAndWait('ask', 'Order number?', { incomingMessage: 'done' }), sendMessage('done', 'Order {{widgets.ask.inbound.Body}} noted')]) as unknown as object,
      })
    ).sid;
  }, 120_000);

  afterAll(async () => {
    for (const { worker } of workers) worker.shutdown();
    for (const { running, connection } of workers) {
      await running;
      await connection.close();
    }
    for (const api of apis) {
      await new Promise((resolve) => api.server.close(resolve));
      await api.connection.close();
      await api.database.close();
    }
    await emulator?.close();
    await new Promise((resolve) => emulatorServer?.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const received = (contact: string, body: string) =>
    waitFor(async () => (await phone.received(contact)).find((message) => message.body === body), `"${body}" on ${contact}`, 60_000);

  const temporalOf = (api: ApiInstance) => new Client({ connection: api.connection, namespace: environment.namespace });
  /** The webhooks the emulator (Twilio) sent, with the URL each went to. */
  const sentWebhooks = async () => ((await (await fetch(`${emulatorUrl}/Emulator/Webhooks`)).json()) as { webhooks: LoggedWebhook[] }).webhooks;

  it('resumes on instance 2 an execution created on instance 1, and shows it ended on both', async () => {
    const [api1, api2] = apis;
    // The flow created on instance 1 is there on instance 2.
    expect((await api2.twilio.studio.v2.flows(surveySid).fetch()).friendlyName).toBe('scale-out survey');

    const contact = '+15557790001';
    const execution = await api1.twilio.studio.v2.flows(surveySid).executions.create({ to: contact, from: PROXY });
    // Instance 2 finds an execution that instance 1 created (the index is shared, and so is Temporal).
    expect((await api2.twilio.studio.v2.flows(surveySid).executions(execution.sid).fetch()).status).toBe('active');
    await received(contact, 'How was it?');
    const reply = await phone.send(contact, PROXY, 'great');
    await received(contact, 'Thanks for "great"');

    // The reply's webhook went to instance 2, which signalled the execution.
    const webhook = (await sentWebhooks()).find((hook) => hook.params.MessageSid === reply.message_sid);
    expect(webhook).toMatchObject({ status: 200 });
    expect(webhook!.url.startsWith(`${api2.url}/v1/Accounts/${DEFAULT_ACCOUNT_SID}/Flows/${surveySid}?ExecutionSid=${execution.sid}`)).toBe(true);
    for (const api of apis) {
      await waitFor(async () => (await api.twilio.studio.v2.flows(surveySid).executions(execution.sid).fetch()).status === 'ended', `the execution ended, seen from ${api.url}`);
    }
  });

  it('continues through instance 1 a conversation that instance 2 started (the route is in the shared index)', async () => {
    const [api1, api2] = apis;
    const contact = '+15557790002';
    const number = await api1.twilio.incomingPhoneNumbers.create({ phoneNumber: SMS_NUMBER, smsUrl: flowWebhookUrl({ publicUrl: api2.url, accountSid: DEFAULT_ACCOUNT_SID }, smsFlowSid) });
    await phone.send(contact, SMS_NUMBER, 'hi');
    await received(contact, 'Order number?');
    // The number now points at instance 1 (as a load balancer could route the next request).
    await api1.twilio.incomingPhoneNumbers(number.sid).update({ smsUrl: flowWebhookUrl({ publicUrl: api1.url, accountSid: DEFAULT_ACCOUNT_SID }, smsFlowSid) });
    const reply = await phone.send(contact, SMS_NUMBER, 'A-7');
    await received(contact, 'Order A-7 noted');
    const webhooks = await sentWebhooks();
    expect(webhooks.find((hook) => hook.params.MessageSid === reply.message_sid)?.url.startsWith(api1.url)).toBe(true);
    const executions = await api1.twilio.studio.v2.flows(smsFlowSid).executions.list();
    expect(executions).toHaveLength(1);
  });

  it("gives one execution per contact for concurrent creates on both instances (409 on the other)", async () => {
    // Ten contacts, each created on both instances at once: the race is run ten times.
    const contacts = Array.from({ length: 10 }, (_, index) => `+1555779${String(200 + index).padStart(4, '0')}`);
    const outcomes = await Promise.all(contacts.map((contact) => Promise.allSettled(apis.map((api) => api.twilio.studio.v2.flows(surveySid).executions.create({ to: contact, from: PROXY })))));
    for (const [index, pair] of outcomes.entries()) {
      const created = pair.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.sid] : []));
      const refused = pair.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect({ contact: contacts[index], created: created.length, refused: refused.map((outcome) => (outcome.reason as { status: number }).status) }).toEqual({
        contact: contacts[index],
        created: 1,
        refused: [409],
      });
      expect((refused[0].reason as { details: unknown }).details).toEqual({ conflicting_execution_sid: created[0] });
      await apis[index % 2].twilio.studio.v2.flows(surveySid).executions(created[0]).update({ status: 'ended' });
    }
  });

  it('spreads 20 executions over both workers', async () => {
    const contacts = Array.from({ length: 20 }, (_, index) => `+1555779${String(100 + index).padStart(4, '0')}`);
    // Half created through each instance, all at once.
    const executions = await Promise.all(contacts.map((contact, index) => apis[index % 2].twilio.studio.v2.flows(surveySid).executions.create({ to: contact, from: PROXY })));
    await Promise.all(contacts.map((contact) => received(contact, 'How was it?')));
    await Promise.all(contacts.map((contact, index) => phone.send(contact, PROXY, `answer ${index}`)));
    await Promise.all(contacts.map((contact, index) => received(contact, `Thanks for "answer ${index}"`)));

    const temporal = temporalOf(apis[0]);
    const activityTasks: Record<string, number> = {};
    const workflowTasks: Record<string, number> = {};
    for (const execution of executions) {
      await waitFor(async () => (await temporal.workflow.getHandle(execution.sid).describe()).status.name === 'COMPLETED', `${execution.sid} to complete`);
      const history = await temporal.workflow.getHandle(execution.sid).fetchHistory();
      for (const event of history.events ?? []) {
        const activity = event.activityTaskStartedEventAttributes?.identity;
        if (activity) activityTasks[activity] = (activityTasks[activity] ?? 0) + 1;
        const workflowTask = event.workflowTaskStartedEventAttributes?.identity;
        if (workflowTask) workflowTasks[workflowTask] = (workflowTasks[workflowTask] ?? 0) + 1;
      }
    }
    console.log(`scale-out: activity tasks per worker ${JSON.stringify(activityTasks)}, workflow tasks per worker ${JSON.stringify(workflowTasks)}`);
    // Only our two workers ran anything, and both ran activities and workflow tasks.
    expect(Object.keys(activityTasks).sort()).toEqual(WORKER_IDENTITIES);
    expect(Object.keys(workflowTasks).sort()).toEqual(WORKER_IDENTITIES);
    // createConversation, participant, webhook, two sends, webhook removal: six per execution.
    expect(Object.values(activityTasks).reduce((sum, count) => sum + count, 0)).toBe(20 * 6);
  }, 120_000);
});
