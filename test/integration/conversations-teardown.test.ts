// Teardown (seed 000 "When the execution ends, Studio removes the onMessageAdded webhook"; DESIGN.md
// decision 8): whatever ends an execution — its last transition, REST Status=ended, a Studio limit, a
// failure, a cancellation from Temporal, or an end that arrives while the Conversation is being set
// up — the webhook Start Conversation registered is gone afterwards, as GET
// /v1/Conversations/{Sid}/Webhooks through the real twilio client shows.
import {
  activityTypes,
  contactSequence,
  createdConversationSid,
  endedState,
  flow,
  messageAddedWebhooks,
  publish,
  receivedMessage,
  sendAndWait,
  sendMessage,
  startConversation,
  startStackWithFlow,
  stepPath,
  trigger,
} from '../support/conversation-flows';
import { waitFor, type Device, type Stack } from '../support/stack';

const PROXY = '+15005550007';
const nextContact = contactSequence('+1555400');

describe('the onMessageAdded webhook is removed when the execution ends', () => {
  let stack: Stack;
  let phone: Device;
  let askingFlow: string;

  beforeAll(async () => {
    ({ stack, phone, flowSid: askingFlow } = await startStackWithFlow('asks once', [
      trigger({ incomingRequest: 'start_conversation' }),
      startConversation('start_conversation', { created: 'ask' }),
      sendAndWait('ask', 'Rate us from 1 to 5', { incomingMessage: 'thanks' }),
      sendMessage('thanks', 'Thank you!'),
    ]));
  });
  afterAll(async () => stack?.stop());

  /** Starts the asking flow and answers once the question reached the contact, with the webhook in place. */
  async function startAsking(contact: string) {
    const execution = await stack.twilio.studio.v2.flows(askingFlow).executions.create({ to: contact, from: PROXY });
    const asked = await receivedMessage(phone, contact, 'Rate us from 1 to 5', 'the question');
    const conversationSid = asked.conversation_sid!;
    const webhooks = await messageAddedWebhooks(stack, conversationSid);
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0].configuration.url).toBe(`${stack.apiUrl}/v1/Accounts/${stack.config.accountSid}/Flows/${askingFlow}?ExecutionSid=${execution.sid}`);
    return { executionSid: execution.sid, conversationSid };
  }

  it('by its last transition', async () => {
    const contact = nextContact();
    const { executionSid, conversationSid } = await startAsking(contact);
    await phone.send(contact, PROXY, '5');
    const state = await endedState(stack, executionSid);
    expect(state.endedReason).toBe('FLOW_END');
    expect(stepPath(state).at(-1)).toBe('thanks-sent->Ended');
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
  });

  it('by REST Status=ended', async () => {
    const { executionSid, conversationSid } = await startAsking(nextContact());
    const ended = await stack.twilio.studio.v2.flows(askingFlow).executions(executionSid).update({ status: 'ended' });
    expect(ended.status).toBe('ended');
    const state = await endedState(stack, executionSid);
    expect(state.endedReason).toBe('ENDED_BY_API');
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
    // The Conversation itself stays (only Close Conversation on Execution End closes it).
    expect((await stack.twilio.conversations.v1.conversations(conversationSid).fetch()).state).toBe('active');
  });

  it('by a cancellation from Temporal itself (the Web UI or tctl)', async () => {
    const { executionSid, conversationSid } = await startAsking(nextContact());
    await stack.temporal.workflow.getHandle(executionSid).cancel();
    const state = await endedState(stack, executionSid);
    expect(state.endedReason).toBe('ENDED_BY_API');
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
  });

  it('by a Studio limit: the same widget more than 10 times in a row (81001)', async () => {
    const flowSid = await publish(
      stack,
      'loops',
      flow([
        trigger({ incomingRequest: 'start_conversation' }),
        startConversation('start_conversation', { created: 'count' }),
        {
          name: 'count',
          type: 'set-variables',
          transitions: [{ event: 'next', next: 'count' }],
          properties: { offset: { x: 0, y: 400 }, variables: [{ type: 'string', key: 'n', value: '{{flow.variables.n | plus: 1}}' }] },
        },
      ]),
    );
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: nextContact(), from: PROXY });
    const state = await endedState(stack, execution.sid);
    expect(state.endedReason).toBe('WIDGET_LOOP');
    expect(state.endedDetail).toContain('81001');
    expect(state.context.flow.variables.n).toBe(10);
    const conversationSid = state.context.flow.channel.sid as string;
    expect(await activityTypes(stack, execution.sid)).toEqual(['createConversation', 'createConversationParticipant', 'createConversationWebhook', 'deleteConversationWebhook']);
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
  });

  it('by a failure: a widget this engine cannot run (voice-only)', async () => {
    const flowSid = await publish(
      stack,
      'fails',
      flow([
        trigger({ incomingRequest: 'start_conversation' }),
        startConversation('start_conversation', { created: 'say' }),
        { name: 'say', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 400 }, say: 'Hello', loop: 1 } },
      ]),
    );
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: nextContact(), from: PROXY });
    const state = await endedState(stack, execution.sid);
    expect(state.endedReason).toBe('UNSUPPORTED_WIDGET');
    expect(await messageAddedWebhooks(stack, state.context.flow.channel.sid as string)).toEqual([]);
  });

  it('by REST Status=ended while the Conversation is still being set up: the set-up finishes, then its webhook goes', async () => {
    const contact = nextContact();
    // The participant's first attempt fails with a 500: the activity waits to retry while we end the execution.
    await phone.fault('createParticipant', { address: contact, count: 1 });
    const execution = await stack.twilio.studio.v2.flows(askingFlow).executions.create({ to: contact, from: PROXY });
    const handle = stack.temporal.workflow.getHandle(execution.sid);
    await waitFor(async () => {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      return pending.some((activity) => activity.activityType?.name === 'createConversationParticipant' && (activity.attempt ?? 0) >= 2);
    }, 'the participant activity to be retrying');
    await stack.twilio.studio.v2.flows(askingFlow).executions(execution.sid).update({ status: 'ended' });
    const state = await endedState(stack, execution.sid);
    expect(state.endedReason).toBe('ENDED_BY_API');
    const conversationSid = await createdConversationSid(stack, execution.sid);
    // Nothing listens on the Conversation any more, and the question was never sent.
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
    expect(await activityTypes(stack, execution.sid)).toEqual(['createConversation', 'createConversationParticipant', 'createConversationWebhook', 'deleteConversationWebhook']);
    expect(await phone.received(contact)).toEqual([]);
  });
});
