// Inbound Conversations (seed 002 "Connecting Studio to Conversations"): the ways the tutorial connects a
// flow besides Address Configuration auto-creation of type studio (tutorial-flow.test.ts covers that one):
// auto-creation of type webhook pointed at the flow's webhook URL, and a conversation-scoped webhook
// Target=studio on a Conversation created through the REST API with an SMS participant. A new message
// starts an execution (incomingConversationMessage, trigger.conversation.*) or resumes the waiting one,
// and the messages the flow itself sends never come back in.
import {
  endedState,
  executionsOf,
  flowWebhookUrl,
  loggedWebhooks,
  receivedMessage,
  sendAndWait,
  sendMessage,
  startStackWithFlow,
  stepPath,
  trigger,
} from '../support/conversation-flows';
import { waitFor, type Device, type Stack } from '../support/stack';

describe('inbound Conversations reach a flow (seed 002)', () => {
  let stack: Stack;
  let phone: Device;
  let flowSid: string;

  beforeAll(async () => {
    ({ stack, phone, flowSid } = await startStackWithFlow('Do you like bots?', [
      trigger({ incomingConversationMessage: 'ask' }),
      sendAndWait('ask', 'Hi, do you like bots?', { incomingMessage: 'answer' }),
      sendMessage('answer', 'You said {{widgets.ask.inbound.Body}} to "{{trigger.conversation.Body}}"'),
    ]));
  });
  afterAll(async () => stack?.stop());

  /** The execution of this flow whose contact is `address`, once there is one. */
  async function executionOf(address: string) {
    return waitFor(async () => (await executionsOf(stack, flowSid)).find((execution) => execution.contactChannelAddress === address), `an execution for ${address}`);
  }

  /** Drives one exchange: the first message starts the execution, the reply resumes it. */
  async function converse(contact: string, twilioNumber: string, first: string, reply: string) {
    const sent = await phone.send(contact, twilioNumber, first);
    await receivedMessage(phone, contact, 'Hi, do you like bots?', 'the question');
    const execution = await executionOf(contact);
    await phone.send(contact, twilioNumber, reply);
    const state = await endedState(stack, execution.sid);
    return { conversationSid: sent.conversation_sid!, firstMessageSid: sent.message_sid, executionSid: execution.sid, state };
  }

  /** A Conversation made through the REST API with an SMS participant and a conversation-scoped webhook Target=studio to the flow. */
  async function conversationToFlow(friendlyName: string, contact: string, twilioNumber: string) {
    const conversation = await stack.twilio.conversations.v1.conversations.create({ friendlyName });
    await stack.twilio.conversations.v1.conversations(conversation.sid).participants.create({
      'messagingBinding.address': contact,
      'messagingBinding.proxyAddress': twilioNumber,
    });
    await stack.twilio.conversations.v1.conversations(conversation.sid).webhooks.create({ target: 'studio', 'configuration.flowSid': flowSid });
    return conversation;
  }

  it('by Address Configuration auto-creation of type webhook, pointed at the flow webhook URL', async () => {
    const twilioNumber = '+15005550201';
    const contact = '+15555010001';
    await stack.twilio.conversations.v1.addressConfigurations.create({
      type: 'sms',
      address: twilioNumber,
      'autoCreation.enabled': true,
      'autoCreation.type': 'webhook',
      'autoCreation.webhookUrl': flowWebhookUrl(stack, flowSid),
      'autoCreation.webhookMethod': 'post',
      'autoCreation.webhookFilters': ['onMessageAdded'],
    });
    const { conversationSid, firstMessageSid, executionSid, state } = await converse(contact, twilioNumber, 'hello', 'yes');

    const hooks = await stack.twilio.conversations.v1.conversations(conversationSid).webhooks.list();
    expect(hooks.map((hook) => [hook.target, hook.configuration.url, hook.configuration.filters])).toEqual([['webhook', flowWebhookUrl(stack, flowSid), ['onMessageAdded']]]);
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions(executionSid).fetch();
    expect(execution).toMatchObject({ contactChannelAddress: contact, status: 'ended' });
    expect(stepPath(state)).toEqual(['Trigger-incomingConversationMessage->ask', 'ask-incomingMessage->answer', 'answer-sent->Ended']);
    expect(state.context.trigger.conversation).toMatchObject({
      EventType: 'onMessageAdded',
      ConversationSid: conversationSid,
      MessageSid: firstMessageSid,
      Body: 'hello',
      Author: contact,
      Source: 'SMS',
    });
    expect(state.context.flow.channel).toMatchObject({ sid: conversationSid, type: 'conversation' });
    expect(state.context.contact.channel.address).toBe(contact);
    expect((await phone.received(contact)).map((message) => message.body)).toEqual(['Hi, do you like bots?', 'You said yes to "hello"']);
    // The reply resumed the waiting execution: there is only one.
    expect((await executionsOf(stack, flowSid)).filter((candidate) => candidate.contactChannelAddress === contact)).toHaveLength(1);
  });

  it('by a conversation-scoped webhook Target=studio on a Conversation created through the REST API', async () => {
    const twilioNumber = '+15005550202';
    const contact = '+15555010002';
    const conversation = await conversationToFlow('studio_test', contact, twilioNumber);

    const { conversationSid, executionSid, state } = await converse(contact, twilioNumber, 'hi there', 'no');
    expect(conversationSid).toBe(conversation.sid);
    expect(stepPath(state)).toEqual(['Trigger-incomingConversationMessage->ask', 'ask-incomingMessage->answer', 'answer-sent->Ended']);
    expect(state.context.trigger.conversation).toMatchObject({ ConversationSid: conversation.sid, Body: 'hi there', Author: contact, WebhookType: 'studio' });
    expect((await phone.received(contact)).map((message) => message.body)).toEqual(['Hi, do you like bots?', 'You said no to "hi there"']);

    // The messages the flow sent (author "system") never came back in as webhooks or as inbound.
    const sentByFlow = (await stack.twilio.conversations.v1.conversations(conversation.sid).messages.list()).filter((message) => message.author === 'system');
    expect(sentByFlow.map((message) => message.body)).toEqual(['Hi, do you like bots?', 'You said no to "hi there"']);
    const echoed = (await loggedWebhooks(stack)).filter((hook) => sentByFlow.some((message) => message.sid === hook.params.MessageSid));
    expect(echoed).toEqual([]);
    expect(state.ignoredInbound).toEqual([]);

    // The Conversation keeps its studio webhook: the next message starts a new execution there.
    await phone.send(contact, twilioNumber, 'again');
    await waitFor(async () => (await executionsOf(stack, flowSid)).filter((execution) => execution.contactChannelAddress === contact).length === 2, 'a second execution');
    const second = (await executionsOf(stack, flowSid)).find((execution) => execution.contactChannelAddress === contact && execution.sid !== executionSid)!;
    const secondContext = await stack.twilio.studio.v2.flows(flowSid).executions(second.sid).executionContext().fetch();
    expect((secondContext.context as { trigger: { conversation: { Body: string } } }).trigger.conversation.Body).toBe('again');
    await stack.twilio.studio.v2.flows(flowSid).executions(second.sid).update({ status: 'ended' });
  });

  it('never takes a message the flow sent as inbound, even when a webhook brings it back', async () => {
    const twilioNumber = '+15005550203';
    const contact = '+15555010003';
    const conversation = await conversationToFlow('echo', contact, twilioNumber);
    await phone.send(contact, twilioNumber, 'start');
    await waitFor(async () => (await phone.received(contact)).length === 1, 'the question');
    const execution = await executionOf(contact);
    const [question] = (await stack.twilio.conversations.v1.conversations(conversation.sid).messages.list()).filter((message) => message.author === 'system');

    // The flow's own message, posted again with webhooks enabled: the emulator delivers it to the flow.
    const echo = await stack.twilio.conversations.v1.conversations(conversation.sid).messages.create({
      body: question.body,
      attributes: question.attributes,
      xTwilioWebhookEnabled: 'true',
    });
    await waitFor(async () => (await loggedWebhooks(stack)).find((hook) => hook.params.MessageSid === echo.sid && hook.status === 200), 'the echo to reach the gateway');
    // The execution still waits for the contact, with nothing recorded; the contact's reply then answers it.
    const waiting = await stack.service.state(execution.sid);
    expect(waiting).toMatchObject({ currentWidget: 'ask', ignoredInbound: [] });
    await phone.send(contact, twilioNumber, 'yes');
    const state = await endedState(stack, execution.sid);
    expect(state.context.widgets.ask).toMatchObject({ inbound: { Body: 'yes' } });
    expect((await executionsOf(stack, flowSid)).filter((candidate) => candidate.contactChannelAddress === contact)).toHaveLength(1);
  });
});
