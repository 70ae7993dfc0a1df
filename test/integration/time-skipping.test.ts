// Long waits without long tests (issue 4.5): on Temporal's Java test server with time skipping, the
// real workflow meets Studio's default reply timeout of 3600 s and its 30-day lifetime in seconds of
// wall time. The activities are the real ones, talking to the emulator.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createTwilioClient } from '../../activities/twilio-client';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { createEmulator } from '../../emulator/app';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { INDEXED_VALUE_TYPE } from '../../scripts/dev-server';
import { findJavaTestServer } from '../../scripts/java-test-server';
import type { FlowState, StudioExecutionInput } from '../../workflows/engine/types';
import { readTestEnvironment } from '../support/paths';

const testServer = findJavaTestServer();
if (!testServer.path) console.warn(`skipping the time-skipping tests: ${testServer.reason}`);
const describeWithTestServer = testServer.path ? describe : describe.skip;

const PROXY = '+15005550400';

function flow(ask: FlowState): StudioExecutionInput['definition'] {
  return {
    description: 'time-skipping',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingRequest', next: 'ask' }] },
      ask,
      { name: 'no_reply', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { from: PROXY, to: '{{contact.channel.address}}', body: 'No reply after {{flow.variables.x | default: "an hour"}}' } },
    ],
  };
}

describeWithTestServer('time skipping on the Java test server', () => {
  let environment: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let emulatorServer: http.Server;
  let emulatorUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    environment = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer.path! } } });
    // The workflow upserts our search attributes: the test server must know them, as the dev server
    // does. It implements addSearchAttributes (not list), so they are added directly.
    await environment.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
    });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-time-skipping-'));
    const emulator = createEmulator({ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, publicUrl: 'http://127.0.0.1:9', stateFile: path.join(dataDir, 'state.json') });
    emulatorServer = http.createServer(emulator.app);
    await new Promise<void>((resolve) => emulatorServer.listen(0, '127.0.0.1', resolve));
    emulatorUrl = `http://127.0.0.1:${(emulatorServer.address() as AddressInfo).port}`;
    const client = createTwilioClient(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, emulatorUrl);
    worker = await Worker.create({
      connection: environment.nativeConnection,
      taskQueue: 'time-skipping',
      workflowBundle: { codePath: readTestEnvironment().workflowBundlePath },
      activities: createActivities({ client, flowWebhookUrl: (flowSid) => `http://127.0.0.1:9/v1/Accounts/${DEFAULT_ACCOUNT_SID}/Flows/${flowSid}` }),
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await environment?.teardown();
    await new Promise((resolve) => emulatorServer?.close(resolve));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (executionSid: string, ask: FlowState, to: string) =>
    environment.client.workflow.execute('studioExecution', {
      workflowId: executionSid,
      taskQueue: 'time-skipping',
      args: [
        {
          accountSid: DEFAULT_ACCOUNT_SID,
          executionSid,
          flowSid: 'FW' + '1'.repeat(32),
          flowRevision: 1,
          definition: flow(ask),
          trigger: { type: 'incomingRequest', to, from: PROXY, parameters: {}, requestSid: 'RQ1' },
        } satisfies StudioExecutionInput,
      ],
    });

  async function received(address: string): Promise<string[]> {
    const response = await fetch(`${emulatorUrl}/Emulator/Outbound?To=${encodeURIComponent(address)}`);
    return ((await response.json()) as { messages: { body: string }[] }).messages.map((message) => message.body);
  }

  it("takes Studio's default 3600 s timeout without waiting an hour", async () => {
    const contact = '+15551237001';
    const startedAt = Date.now();
    const result = (await start('FN' + 'a'.repeat(32), {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout', next: 'no_reply' }, { event: 'deliveryFailure' }],
      properties: { from: PROXY, body: 'Anyone there?' }, // no timeout: Studio's default
    }, contact)) as { endedReason: string; steps: { name: string; transitioned_from: string; date_created: string }[] };
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    expect(result.endedReason).toBe('FLOW_END');
    expect(result.steps.find((step) => step.transitioned_from === 'ask')!.name).toBe('timeout');
    // A step is dated when its widget is entered: in workflow time, the widget after the timeout
    // started an hour after the question.
    const askStep = result.steps.find((step) => step.transitioned_from === 'ask')!;
    const afterTimeout = result.steps.find((step) => step.transitioned_from === 'no_reply')!;
    const elapsed = Date.parse(afterTimeout.date_created) - Date.parse(askStep.date_created);
    expect(elapsed).toBeGreaterThanOrEqual(3600_000);
    expect(elapsed).toBeLessThan(3660_000);
    expect(await received(contact)).toEqual(['Anyone there?', 'No reply after an hour']);
  }, 120_000);

  it('ends an execution after 30 days with reason LIFETIME', async () => {
    const contact = '+15551237002';
    const result = (await start('FN' + 'b'.repeat(32), {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout', next: 'ask' }, { event: 'deliveryFailure' }],
      properties: { from: PROXY, body: 'Still there?', timeout: '864000' }, // 10 days, asked again and again
    }, contact)) as { endedReason: string; endedDetail: string; steps: { date_created: string }[] };
    expect(result.endedReason).toBe('LIFETIME');
    expect(result.endedDetail).toContain('30 days');
    expect(await received(contact)).toEqual(['Still there?', 'Still there?', 'Still there?']);
  }, 120_000);
});
