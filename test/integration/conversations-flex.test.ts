// Send to Flex end to end (seed 000 "If the execution is handed off ... Studio blocks further messages
// from the flow and disconnects the onMessageAdded webhook"; DESIGN.md decision 7): `callComplete`
// creates the Interaction on the emulator, the webhook goes right after the hand-off, a later Send
// Message takes `failed`, and the Conversation is left open for the agent; `failedToEnqueue` when Flex
// refuses the Interaction.
import {
  activityTypes,
  endedState,
  messageAddedWebhooks,
  sendMessage,
  sendToFlex,
  startConversation,
  startStackWithFlow,
  stepPath,
  trigger,
  widgetOutput,
} from '../support/conversation-flows';
import type { Device, Stack } from '../support/stack';

const PROXY = '+15005550008';

describe('Send to Flex hands the Conversation off', () => {
  let stack: Stack;
  let phone: Device;
  let flowSid: string;

  beforeAll(async () => {
    ({ stack, phone, flowSid } = await startStackWithFlow('to an agent', [
      trigger({ incomingRequest: 'start_conversation' }),
      // Close on execution end is set: a handed-off Conversation must still stay open for the agent.
      startConversation('start_conversation', { created: 'connecting' }, { close_conversation_on_execution_end: true }),
      sendMessage('connecting', 'Connecting you to an agent', { sent: 'to_agent' }),
      sendToFlex('to_agent', { callComplete: 'after', failedToEnqueue: 'sorry' }),
      sendMessage('after', 'Are you still there?'),
      sendMessage('sorry', 'No agent is available'),
    ]));
  });
  afterAll(async () => stack?.stop());

  it('callComplete: the Interaction exists, the webhook went at the hand-off, later sends fail, the Conversation stays open', async () => {
    const contact = '+15557000001';
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY });
    const state = await endedState(stack, execution.sid);
    expect(stepPath(state)).toEqual([
      'Trigger-incomingRequest->start_conversation',
      'start_conversation-created->connecting',
      'connecting-sent->to_agent',
      'to_agent-callComplete->after',
      'after-failed->Ended',
    ]);
    const conversationSid = state.context.flow.channel.sid as string;
    expect(state.context.flow.channel.status).toBe('handed off');

    // The Interaction on the emulator's Flex API carries the Conversation and the routing.
    const interactionSid = widgetOutput(state, 'to_agent').sid as string;
    expect(interactionSid).toMatch(/^KD[0-9a-f]{32}$/);
    const interaction = await stack.twilio.flexApi.v1.interaction(interactionSid).fetch();
    expect(interaction.channel).toMatchObject({ type: 'sms', initiated_by: 'customer', properties: { media_channel_sid: conversationSid } });
    expect(interaction.routing.properties).toMatchObject({
      workflow_sid: 'WW00000000000000000000000000000001',
      task_channel_unique_name: 'TC00000000000000000000000000000001',
      priority: 5,
      timeout: 600,
    });
    expect(JSON.parse(interaction.routing.properties.attributes as string)).toMatchObject({ name: contact, customerAddress: contact });

    // The webhook was removed right after the Interaction was created, before the flow went on, and
    // only once; the later Send Message sent nothing; the Conversation was not closed under the agent.
    expect(await activityTypes(stack, execution.sid)).toEqual([
      'createConversation',
      'createConversationParticipant',
      'createConversationWebhook',
      'sendConversationMessage',
      'createFlexInteraction',
      'deleteConversationWebhook',
    ]);
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
    expect(state.steps.find((step) => step.transitioned_from === 'after')?.context).toMatchObject({
      warnings: [{ code: '81011', message: 'The channel was handed off: the flow can no longer send' }],
    });
    expect((await phone.received(contact)).map((message) => message.body)).toEqual(['Connecting you to an agent']);
    expect((await stack.twilio.conversations.v1.conversations(conversationSid).fetch()).state).toBe('active');
  });

  it('failedToEnqueue when Flex refuses the Interaction: the flow keeps its channel until it ends', async () => {
    const contact = '+15557000002';
    await phone.fault('createInteraction', { status: 400 });
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY });
    const state = await endedState(stack, execution.sid);
    expect(stepPath(state)).toEqual([
      'Trigger-incomingRequest->start_conversation',
      'start_conversation-created->connecting',
      'connecting-sent->to_agent',
      'to_agent-failedToEnqueue->sorry',
      'sorry-sent->Ended',
    ]);
    expect(state.context.flow.channel.status).toBe('active');
    expect((await phone.received(contact)).map((message) => message.body)).toEqual(['Connecting you to an agent', 'No agent is available']);
    const conversationSid = state.context.flow.channel.sid as string;
    // Not handed off: teardown at the end removes the webhook and closes the Conversation as configured.
    expect(await activityTypes(stack, execution.sid)).toEqual([
      'createConversation',
      'createConversationParticipant',
      'createConversationWebhook',
      'sendConversationMessage',
      'createFlexInteraction',
      'sendConversationMessage',
      'deleteConversationWebhook',
      'closeConversation',
    ]);
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
    expect((await stack.twilio.conversations.v1.conversations(conversationSid).fetch()).state).toBe('closed');
  });
});
