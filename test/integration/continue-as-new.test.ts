// Long executions (issue 4.7): when Temporal suggests it (the test server's threshold is lowered to
// 120 history events by the global setup), the workflow continues as new between widgets, carrying
// its pinned definition, context, steps, seen message SIDs and current widget — invisibly to the flow.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const FLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/chat-loop.json'), 'utf8'));
const SURVEY = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8'));

/** The chat loop behind a Start Conversation: its replies come back through the Conversation's webhook. */
function chatLoopInAConversation() {
  const definition = structuredClone(FLOW);
  const start = structuredClone(SURVEY.states.find((state: { name: string }) => state.name === 'start_conversation'));
  start.transitions = [{ event: 'created', next: 'ask' }, { event: 'failed' }];
  definition.states.find((state: { name: string }) => state.name === 'Trigger').transitions.find((t: { event: string }) => t.event === 'incomingRequest').next = 'start_conversation';
  definition.states.push(start);
  return definition;
}

describe('a conversation longer than one workflow run', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('continues as new mid-conversation and the flow never notices', async () => {
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Chat loop', status: 'published', definition: FLOW });
    const contact = '+15551235001';
    const proxy = '+15005550200';
    // No Conversation here: the flow speaks Programmable Messaging, and the number's SmsUrl brings replies back.
    await stack.twilio.incomingPhoneNumbers.create({ phoneNumber: proxy, smsUrl: flow.webhookUrl });
    const execution = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ to: contact, from: proxy });
    const phone = device(stack.emulatorUrl);
    const rounds = 14;
    for (let round = 0; round < rounds; round++) {
      await waitFor(async () => (await phone.received(contact)).length === round + 1, `question ${round + 1}`);
      expect((await phone.received(contact))[round].body).toBe(`Say something (${round} so far)`);
      await phone.send(contact, proxy, round === rounds - 1 ? 'stop' : `reply ${round}`);
    }
    await waitFor(async () => (await phone.received(contact)).length === rounds + 1, 'the goodbye');
    expect((await phone.received(contact))[rounds].body).toBe(`Bye after ${rounds} rounds, last was stop`);

    const description = await stack.temporal.workflow.getHandle(execution.sid).describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
    const steps = await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).steps.list({ pageSize: 1000 });
    expect(steps).toHaveLength(1 + rounds * 3 + 1);
    expect(steps[steps.length - 1].name).toBe('incomingRequest');
    expect((await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status).toBe('ended');
  }, 180_000);

  it('keeps the Conversation and its webhook across continue-as-new', async () => {
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Chat loop in a Conversation', status: 'published', definition: chatLoopInAConversation() });
    const contact = '+15551235002';
    const proxy = '+15005550201';
    const execution = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ to: contact, from: proxy, parameters: { name: 'Loop' } });
    const phone = device(stack.emulatorUrl);
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      await waitFor(async () => (await phone.received(contact)).length === round + 1, `question ${round + 1}`);
      await phone.send(contact, proxy, round === rounds - 1 ? 'stop' : `reply ${round}`);
    }
    await waitFor(async () => (await phone.received(contact)).length === rounds + 1, 'the goodbye');
    expect((await phone.received(contact))[rounds].body).toBe(`Bye after ${rounds} rounds, last was stop`);
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status === 'ended', 'the execution to end');
    const description = await stack.temporal.workflow.getHandle(execution.sid).describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
    // The webhook went away once, at the real end, not at the hand-over to the next run.
    const history = await stack.temporal.workflow.getHandle(execution.sid).fetchHistory();
    const firstRun = await stack.temporal.workflow.getHandle(execution.sid, description.raw.workflowExecutionInfo?.firstRunId ?? undefined).fetchHistory();
    const scheduled = (events: typeof history.events) => (events ?? []).map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled(firstRun.events)).not.toContain('deleteConversationWebhook');
    expect(scheduled(history.events)).toContain('deleteConversationWebhook');
  }, 180_000);
});
