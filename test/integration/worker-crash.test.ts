// The reply timeout is a durable timer (issue 2.7): the worker process is SIGKILLed while the
// execution waits; the timer fires in the server; a new worker process takes the timeout transition,
// and the device gets the timeout message exactly once.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { device, spawnWorkerProcess, startStack, waitFor, type Stack } from '../support/stack';

const FLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8'));
const PROXY = '+15005550007';

describe('a worker killed during a wait', () => {
  let stack: Stack;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    stack = await startStack({ inProcessWorker: false });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await stack?.stop();
  });

  it('still takes the timeout transition, once', async () => {
    // The widget's timeout exactly as the issue writes it: the string "3".
    const definition = structuredClone(FLOW);
    definition.states.find((state: { name: string }) => state.name === 'ask').properties.timeout = '3';
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Timeout', status: 'published', definition });
    worker = await spawnWorkerProcess(stack);

    const contact = '+15551119001';
    const execution = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ to: contact, from: PROXY, parameters: { name: 'Di' } });
    const phone = device(stack.emulatorUrl);
    await waitFor(async () => (await phone.received(contact)).length === 1, 'the question');
    // Killed during the wait, not just before it: the question is out before the workflow task that starts the timer completes.
    const handle = stack.temporal.workflow.getHandle(execution.sid);
    await waitFor(async () => ((await handle.fetchHistory()).events ?? []).some((event) => event.timerStartedEventAttributes), 'the reply timer to start');

    const killed = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGKILL');
    await killed;

    await waitFor(async () => ((await handle.fetchHistory()).events ?? []).some((event) => event.timerFiredEventAttributes), 'the timer to fire with no worker');
    expect((await phone.received(contact)).map((message) => message.body)).toEqual(['How was your visit, Di?']);

    worker = await spawnWorkerProcess(stack);
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status === 'ended', 'the execution to end', 60_000);
    expect((await phone.received(contact)).map((message) => message.body)).toEqual(['How was your visit, Di?', 'We did not hear back from you.']);
    const steps = await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).steps.list();
    expect(steps.map((step) => `${step.transitionedFrom}-${step.name}`)).toContain('ask-timeout');
  }, 240_000);
});
