// Metrics and logs (issue 6.5): a flow run end to end moves the API's counters (started, webhooks
// accepted and rejected, HTTP requests) and the worker's (ended by reason, from the workflow's sink;
// the Temporal SDK's own metrics beside them), scraped from the two /metrics endpoints. Every log line
// about the execution, from the API, the gateway, the activities and the SDK, carries its SID, and no
// line holds the auth token or a full phone number.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../scripts/dev-server';
import { device, spawnWorkerProcess, startStack, twilio, waitFor, type Stack } from '../support/stack';

const FLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8'));
const PROXY = '+15005550006';
const CONTACT = '+15551237001';
const OTHER_CONTACT = '+15551237002';

type LogLine = Record<string, unknown> & { msg?: string; executionSid?: string };

/** The value of one sample of a Prometheus text exposition (0 when absent). */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([0-9.eE+-]+|NaN)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return 0;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

describe('metrics and logs of an execution', () => {
  let stack: Stack;
  let worker: ChildProcess | undefined;
  let workerMetricsUrl: string;
  const apiOutput: string[] = [];
  const workerOutput: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ inProcessWorker: false, logLines: apiOutput });
    const [metricsPort, sdkMetricsPort] = [await freePort(), await freePort()];
    workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    worker = await spawnWorkerProcess(stack, { WORKER_METRICS_PORT: String(metricsPort), WORKER_SDK_METRICS_PORT: String(sdkMetricsPort), LOG_LEVEL: 'debug' });
    let partial = '';
    worker.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      workerOutput.push(...lines.filter((line) => line.trim() !== ''));
    });
  }, 180_000);
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      setTimeout(() => worker?.kill('SIGKILL'), 10_000).unref();
      await exited;
    }
    await stack?.stop();
  });

  /** Our pino lines, raw (logLines also keeps the test process's own SDK runtime entries: not ours). */
  function rawLines(): string[] {
    return [...apiOutput, ...workerOutput].filter((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`a log line is not JSON: ${line}`);
      }
      return typeof (parsed as LogLine).component === 'string';
    });
  }

  function lines(): LogLine[] {
    return rawLines().map((line) => JSON.parse(line) as LogLine);
  }

  it('counts the start, the webhooks and the end, and logs every line of it with the execution SID', async () => {
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Metrics survey', status: 'published', definition: FLOW });
    const apiMetricsUrl = `${stack.apiUrl}/metrics`;
    const before = await scrape(apiMetricsUrl);

    const execution = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ to: CONTACT, from: PROXY, parameters: { name: 'Mo' } });
    const phone = device(stack.emulatorUrl);
    const asked = await waitFor(async () => (await phone.received(CONTACT)).find((message) => message.body === 'How was your visit, Mo?'), 'the question');
    await phone.send(CONTACT, PROXY, 'Fine');
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status === 'ended', 'the execution to end');

    // A forged webhook is rejected and counted as such.
    const webhookUrl = `${stack.apiUrl}/v1/Accounts/${stack.config.accountSid}/Flows/${flow.sid}`;
    const forgedParams = { EventType: 'onMessageAdded', ConversationSid: asked.conversation_sid!, MessageSid: 'IM' + 'e'.repeat(32), Body: 'x', Author: CONTACT };
    const forged = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilio.getExpectedTwilioSignature('not-the-token', webhookUrl, forgedParams) },
      body: new URLSearchParams(forgedParams),
    });
    expect(forged.status).toBe(403);

    // A second execution, ended through the API: the worker counts it under its own reason.
    const second = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ to: OTHER_CONTACT, from: PROXY, parameters: { name: 'Jo' } });
    await waitFor(async () => (await phone.received(OTHER_CONTACT)).length === 1, 'the second question');
    await stack.twilio.studio.v2.flows(flow.sid).executions(second.sid).update({ status: 'ended' });

    const after = await scrape(apiMetricsUrl);
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('studio_executions_started_total', { trigger: 'incomingRequest' })).toBe(2);
    // The reply and the delivery receipts came through the gateway, signed.
    expect(delta('studio_webhooks_total', { outcome: 'accepted' })).toBeGreaterThanOrEqual(1);
    expect(delta('studio_webhooks_total', { outcome: 'rejected' })).toBe(1);
    expect(delta('studio_http_requests_total', { method: 'POST', route: '/v2/Flows/:flowSid/Executions', status: '201' })).toBe(2);
    expect(delta('studio_http_requests_total', { method: 'POST', route: '/v1/Accounts/:accountSid/Flows/:flowSid', status: '403' })).toBe(1);

    // The Temporal SDK core's metrics are served at the same endpoint (it counts a completion once the server took it).
    const workerMetrics = await waitFor(async () => {
      const text = await scrape(workerMetricsUrl);
      const ended = sample(text, 'studio_executions_ended_total', { reason: 'ENDED_BY_API' }) === 1;
      return ended && sample(text, 'temporal_workflow_completed', { workflow_type: 'studioExecution' }) === 2 ? text : null;
    }, 'the worker to count both endings');
    expect(sample(workerMetrics, 'studio_executions_ended_total', { reason: 'FLOW_END' })).toBe(1);
    expect(workerMetrics).toMatch(/^# TYPE studio_executions_ended_total counter$/m);
    expect(workerMetrics).toMatch(/^# TYPE temporal_workflow_completed counter$/m);

    // Logs: find the lines about each execution; every one of them carries its SID.
    await waitFor(async () => lines().some((line) => line.msg === 'execution ended' && line.executionSid === second.sid), 'the worker to log the second end');
    const all = lines();
    const conversationSid = asked.conversation_sid!;
    const about = all.filter((line) => JSON.stringify(line).includes(execution.sid) || JSON.stringify(line).includes(conversationSid));
    expect(about.length).toBeGreaterThan(10);
    for (const line of about) expect({ line, executionSid: line.executionSid }).toEqual({ line, executionSid: execution.sid });

    const mine = all.filter((line) => line.executionSid === execution.sid);
    const has = (predicate: (line: LogLine) => boolean) => expect(mine.some(predicate)).toBe(true);
    has((line) => line.component === 'api' && line.msg === 'execution started' && line.trigger === 'incomingRequest');
    has((line) => line.msg === 'request' && line.route === '/v2/Flows/:flowSid/Executions/:executionSid' && line.method === 'GET');
    has((line) => line.msg === 'conversation message' && line.delivered === true);
    has((line) => line.msg === 'request' && line.route === '/v1/Accounts/:accountSid/Flows/:flowSid' && line.status === 200);
    for (const activityType of ['createConversation', 'createConversationParticipant', 'createConversationWebhook', 'sendConversationMessage', 'deleteConversationWebhook']) {
      has((line) => line.component === 'worker' && line.msg === 'activity completed' && line.activityType === activityType);
    }
    has((line) => line.component === 'worker' && line.msg === 'execution ended' && line.reason === 'FLOW_END');
    // Every activity of the worker said which execution it served.
    for (const line of all.filter((candidate) => candidate.activityType !== undefined)) expect([execution.sid, second.sid]).toContain(line.executionSid);

    // No line holds the auth token or a full phone number (the contact appears masked, if at all).
    const text = rawLines().join('\n');
    expect(text).not.toContain(stack.config.authToken);
    for (const number of [CONTACT, OTHER_CONTACT, PROXY]) {
      expect(text).not.toContain(number);
      expect(text).not.toContain(number.slice(1));
    }
    expect(text).not.toMatch(/(\+|%2B)\d{7,}/i);
  }, 120_000);
});
