// The Start Conversation widget, first cut (issue 2.6-2.7): a REST-triggered execution creates a
// Conversation with its participant and webhook, asks, resumes on the reply, ends and removes the
// webhook — against the real dev server, driven by the real twilio client.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const FLOW = fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8');
const PROXY = '+15005550006';

describe('Start Conversation → Send & Wait → Send Message', () => {
  let stack: Stack;
  let flowSid: string;

  beforeAll(async () => {
    stack = await startStack();
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Survey', status: 'published', definition: JSON.parse(FLOW) });
    flowSid = flow.sid;
  });
  afterAll(async () => stack?.stop());

  async function activityTypes(executionSid: string): Promise<string[]> {
    const history = await stack.temporal.workflow.getHandle(executionSid).fetchHistory();
    return (history.events ?? [])
      .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((name): name is string => typeof name === 'string');
  }

  it('creates the Conversation, resumes on the reply, and removes the webhook at the end', async () => {
    const contact = '+15551110001';
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY, parameters: { name: 'Ann' } });
    expect(execution.sid).toMatch(/^FN[0-9a-f]{32}$/);
    expect(execution.status).toBe('active');
    // The workflow ID is the execution SID.
    const description = await stack.temporal.workflow.getHandle(execution.sid).describe();
    expect(description.workflowId).toBe(execution.sid);

    const asked = await waitFor(async () => (await device(stack.emulatorUrl).received(contact)).find((m) => m.body === 'How was your visit, Ann?'), 'the question');
    expect(asked.from).toBe(PROXY);
    const conversationSid = asked.conversation_sid!;
    expect(conversationSid).toMatch(/^CH/);

    const webhooks = await stack.twilio.conversations.v1.conversations(conversationSid).webhooks.list();
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0].configuration.url).toContain(`/v1/Accounts/${stack.config.accountSid}/Flows/${flowSid}`);
    expect(webhooks[0].configuration.filters).toContain('onMessageAdded');

    const context = await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).executionContext().fetch();
    const channel = (context.context as { flow: { channel: { sid: string; type: string } } }).flow.channel;
    expect(channel).toMatchObject({ sid: conversationSid, type: 'conversation' });

    await device(stack.emulatorUrl).send(contact, PROXY, 'Great, thanks');
    await waitFor(async () => (await device(stack.emulatorUrl).received(contact)).find((m) => m.body === 'Thanks! You said: Great, thanks'), 'the thanks');
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).fetch()).status === 'ended', 'the execution to end');

    expect(await stack.twilio.conversations.v1.conversations(conversationSid).webhooks.list()).toHaveLength(0);
    expect(await activityTypes(execution.sid)).toEqual([
      'createConversation',
      'createConversationParticipant',
      'createConversationWebhook',
      'sendConversationMessage',
      'sendConversationMessage',
      'deleteConversationWebhook',
    ]);
    const steps = await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).steps.list();
    expect(steps.map((step) => `${step.transitionedFrom}-${step.name}->${step.transitionedTo}`).reverse()).toEqual([
      'Trigger-incomingRequest->start_conversation',
      'start_conversation-created->ask',
      'ask-incomingMessage->thanks',
      'thanks-sent->Ended',
    ]);
  });

  it('takes the timeout transition once, also when the worker was down when the timer fired', async () => {
    const contact = '+15551110002';
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY, parameters: { name: 'Bo', timeout: '3' } });
    await waitFor(async () => (await device(stack.emulatorUrl).received(contact)).find((m) => m.body === 'How was your visit, Bo?'), 'the question');
    const handle = stack.temporal.workflow.getHandle(execution.sid);
    // The question reaches the phone before the workflow task that starts the timer has run: wait for it.
    await waitFor(async () => ((await handle.fetchHistory()).events ?? []).some((event) => event.timerStartedEventAttributes), 'the timer to start');
    await stack.stopWorker();
    // The durable timer fires in the server while no worker runs.
    await waitFor(async () => {
      const history = await handle.fetchHistory();
      return (history.events ?? []).some((event) => event.timerFiredEventAttributes);
    }, 'the timer to fire in the server');
    expect((await device(stack.emulatorUrl).received(contact)).map((m) => m.body)).toEqual(['How was your visit, Bo?']);
    await stack.startWorker();
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).fetch()).status === 'ended', 'the execution to end');
    expect((await device(stack.emulatorUrl).received(contact)).map((m) => m.body)).toEqual(['How was your visit, Bo?', 'We did not hear back from you.']);
  });

  it('answers 409 with the conflicting execution for a second active execution of the same contact', async () => {
    const contact = '+15551110003';
    const first = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY, parameters: { name: 'Cy' } });
    await expect(stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY })).rejects.toMatchObject({
      status: 409,
      code: 20409,
      details: { conflicting_execution_sid: first.sid },
    });
    await stack.twilio.studio.v2.flows(flowSid).executions(first.sid).update({ status: 'ended' });
    const conversationSid = (await device(stack.emulatorUrl).received(contact))[0]?.conversation_sid;
    await waitFor(async () => (await stack.temporal.workflow.getHandle(first.sid).describe()).status.name === 'COMPLETED', 'the cancelled execution to finish');
    if (conversationSid) expect(await stack.twilio.conversations.v1.conversations(conversationSid).webhooks.list()).toHaveLength(0);
  });
});
