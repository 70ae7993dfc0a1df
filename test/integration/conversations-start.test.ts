// Start Conversation (seed document 000), sentence by sentence, against the real stack: the five
// `failed` cases (each Twilio failure injected with the emulator's faults), nothing half-made left
// behind, chat and messaging participants, the Conversation properties as the emulator stores them,
// reserved characters, Close Conversation on Execution End, and one Conversation per execution.
import { randomBytes } from 'node:crypto';
import type { FlowState } from '../../workflows/engine/types';
import {
  activityTypes,
  connectAddressToFlow,
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
  widgetOutput,
} from '../support/conversation-flows';
import type { Device, Stack } from '../support/stack';

const PROXY = '+15005550006';
/** A fresh contact per test: decision 2 allows one active execution per contact. */
const nextContact = contactSequence('+1555300');

/** A subflow whose only work is a Start Conversation, reached from incomingParent (valid for the validator). */
const childFlow = () => flow([trigger({ incomingParent: 'start_conversation' }), startConversation('start_conversation', {})]);

function runSubflow(name: string, flowSid: string, next: Record<string, string>): FlowState {
  return {
    name,
    type: 'run-subflow',
    transitions: ['completed', 'failed'].map((event) => (next[event] ? { event, next: next[event] } : { event })),
    properties: { offset: { x: 0, y: 200 }, flow_sid: flowSid, flow_revision: 'LatestPublished', parameters: [] },
  };
}

describe('Start Conversation (seed 000)', () => {
  let stack: Stack;
  let phone: Device;
  let singleFlow: string;

  beforeAll(async () => {
    // Every property comes from the REST trigger's Parameters, so one flow serves every case.
    ({ stack, phone, flowSid: singleFlow } = await startStackWithFlow('Start Conversation, one widget', [
      trigger({ incomingRequest: 'start_conversation' }),
      startConversation(
        'start_conversation',
        {},
        {
          messaging_service_sid: '{{flow.data.messaging_service_sid}}',
          unique_name: '{{flow.data.unique_name}}',
          friendly_name: '{{flow.data.friendly_name}}',
          attributes: '{{flow.data.attributes}}',
          timers_inactive: '{{flow.data.timers_inactive}}',
          timers_closed: '{{flow.data.timers_closed}}',
          email_binding_address: '{{flow.data.email_address}}',
          email_binding_name: '{{flow.data.email_name}}',
        },
        {
          type: 'messaging',
          messaging_binding_address: '{{contact.channel.address}}',
          messaging_binding_proxy_address: '{{flow.channel.address}}',
          attributes: '{{flow.data.participant_attributes}}',
          role_sid: '',
        },
      ),
    ]));
  });
  afterAll(async () => stack?.stop());

  async function run(flowSid: string, contact: string, parameters: Record<string, unknown> = {}) {
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY, parameters });
    return { sid: execution.sid, state: await endedState(stack, execution.sid) };
  }

  async function conversationSids(): Promise<string[]> {
    return (await stack.twilio.conversations.v1.conversations.list()).map((conversation) => conversation.sid);
  }

  async function expectGone(conversationSid: string) {
    await expect(stack.twilio.conversations.v1.conversations(conversationSid).fetch()).rejects.toMatchObject({ status: 404 });
    expect(await conversationSids()).not.toContain(conversationSid);
  }

  describe('fails', () => {
    it('when the flow was not triggered by the REST API: refused at deploy time, and at run time in a subflow of such a flow', async () => {
      // Deploy time: the validator refuses a start-conversation the incomingConversationMessage trigger reaches.
      const reachedFromConversation = flow([trigger({ incomingConversationMessage: 'start_conversation' }), startConversation('start_conversation', {})]);
      await expect(publish(stack, 'not REST', reachedFromConversation)).rejects.toMatchObject({
        status: 400,
        code: 81022,
        details: { errors: [expect.objectContaining({ message: expect.stringContaining("can only be used in flows triggered by the REST API; it is reachable from the trigger's incomingConversationMessage") })] },
      });
      // Run time: a subflow reaches it only from incomingParent (valid), but its parent was started by an
      // inbound Conversation message, so the execution is not REST-triggered and the widget fails.
      const parentSid = await publish(
        stack,
        'inbound parent',
        flow([
          trigger({ incomingConversationMessage: 'child' }),
          runSubflow('child', await publish(stack, 'child with Start Conversation', childFlow()), { completed: 'done' }),
          sendMessage('done', 'Subflow done'),
        ]),
      );
      const twilioNumber = '+15005550099';
      await connectAddressToFlow(stack, twilioNumber, parentSid);
      const contact = nextContact();
      const inbound = await phone.send(contact, twilioNumber, 'hello');
      await receivedMessage(phone, contact, 'Subflow done', 'the parent to finish');
      const [execution] = await stack.twilio.studio.v2.flows(parentSid).executions.list();
      const state = await endedState(stack, execution.sid);
      expect(stepPath(state)).toEqual([
        'Trigger-incomingConversationMessage->child',
        // The Run Subflow step comes first; its child's steps follow, with it as their parent step.
        'child-completed->done',
        'Trigger-incomingParent->start_conversation',
        'start_conversation-failed->Ended',
        'done-sent->Ended',
      ]);
      const failedStep = state.steps.find((step) => step.transitioned_from === 'start_conversation')!;
      expect(failedStep.parent_step_sid).toBe(state.steps.find((step) => step.transitioned_from === 'child')!.sid);
      expect(failedStep.context).toMatchObject({ widgets: { start_conversation: { error: 'Start Conversation can only be used in flows triggered by the REST API' } } });
      // Nothing was created: the execution kept the inbound Conversation as its only channel.
      expect(await activityTypes(stack, execution.sid)).not.toContain('createConversation');
      expect(state.context.flow.channel.sid).toBe(inbound.conversation_sid);
    });

    it('when a Conversation already exists for the execution: a second Start Conversation fails and creates nothing', async () => {
      const flowSid = await publish(
        stack,
        'two in a row',
        flow([
          trigger({ incomingRequest: 'first' }),
          startConversation('first', { created: 'second' }, { friendly_name: 'first' }),
          startConversation('second', {}, { friendly_name: 'second' }),
        ]),
      );
      const before = await conversationSids();
      const { sid, state } = await run(flowSid, nextContact());
      expect(stepPath(state)).toEqual(['Trigger-incomingRequest->first', 'first-created->second', 'second-failed->Ended']);
      const channelSid = state.context.flow.channel.sid as string;
      expect(widgetOutput(state, 'second').error).toBe(`The execution already has an active channel (${channelSid})`);
      // Only one Conversation per execution: one createConversation, one new Conversation.
      expect((await activityTypes(stack, sid)).filter((type) => type === 'createConversation')).toHaveLength(1);
      const created = (await conversationSids()).filter((conversation) => !before.includes(conversation));
      expect(created).toEqual([channelSid]);
      expect((await stack.twilio.conversations.v1.conversations(channelSid).fetch()).friendlyName).toBe('first');
    });

    it('when Studio cannot create the Conversation (Twilio refuses it)', async () => {
      const before = await conversationSids();
      await phone.fault('createConversation', { status: 400 });
      const { sid, state } = await run(singleFlow, nextContact(), { friendly_name: 'refused' });
      expect(stepPath(state)).toEqual(['Trigger-incomingRequest->start_conversation', 'start_conversation-failed->Ended']);
      expect(widgetOutput(state, 'start_conversation').error).toMatch(/^Could not create the conversation: .*emulated fault on createConversation/);
      expect(await activityTypes(stack, sid)).toEqual(['createConversation']);
      expect(await conversationSids()).toEqual(before);
      expect(state.context.flow.channel.sid).toBeUndefined();
    });

    it('when the unique name is taken (Twilio answers 409, 50353)', async () => {
      const uniqueName = `taken-${randomBytes(4).toString('hex')}`;
      const first = await run(singleFlow, nextContact(), { unique_name: uniqueName });
      expect(stepPath(first.state)).toContain('start_conversation-created->Ended');
      const second = await run(singleFlow, nextContact(), { unique_name: uniqueName });
      expect(stepPath(second.state)).toContain('start_conversation-failed->Ended');
      expect(widgetOutput(second.state, 'start_conversation').error).toContain('Conversation with provided unique name already exists');
    });

    it('when Studio cannot create the participant, and the half-made Conversation is deleted', async () => {
      const contact = nextContact();
      await phone.fault('createParticipant', { address: contact, status: 400 });
      const { sid, state } = await run(singleFlow, contact, { friendly_name: 'no participant' });
      expect(stepPath(state)).toEqual(['Trigger-incomingRequest->start_conversation', 'start_conversation-failed->Ended']);
      expect(widgetOutput(state, 'start_conversation').error).toMatch(/^Could not create the participant: /);
      expect(await activityTypes(stack, sid)).toEqual(['createConversation', 'createConversationParticipant', 'deleteConversation']);
      await expectGone(await createdConversationSid(stack, sid));
      expect(state.context.flow.channel.sid).toBeUndefined();
    });

    it('when Studio cannot register the onMessageAdded webhook, and the half-made Conversation is deleted', async () => {
      const contact = nextContact();
      await phone.fault('createWebhook', { address: contact, status: 400 });
      const { sid, state } = await run(singleFlow, contact, { friendly_name: 'no webhook' });
      expect(stepPath(state)).toEqual(['Trigger-incomingRequest->start_conversation', 'start_conversation-failed->Ended']);
      expect(widgetOutput(state, 'start_conversation').error).toMatch(/^Could not create the webhook: /);
      expect(await activityTypes(stack, sid)).toEqual(['createConversation', 'createConversationParticipant', 'createConversationWebhook', 'deleteConversation']);
      const halfMade = await createdConversationSid(stack, sid);
      await expectGone(halfMade);
      // The contact's address pair is free again: a new Conversation can bind it.
      const retried = await run(singleFlow, contact, { friendly_name: 'second try' });
      expect(stepPath(retried.state)).toContain('start_conversation-created->Ended');
    });

    it('not on a transient Twilio error: a 500 is retried and the Conversation is created', async () => {
      const contact = nextContact();
      await phone.fault('createWebhook', { address: contact, count: 1 });
      const { state } = await run(singleFlow, contact, { friendly_name: 'transient' });
      expect(stepPath(state)).toContain('start_conversation-created->Ended');
    });

    it.each([
      ['friendly_name', 'Survey: Ann', 'Friendly Name contains the reserved character :'],
      ['friendly_name', "O'Brien", "Friendly Name contains the reserved character '"],
      ['unique_name', 'survey/42', 'Unique Name contains the reserved character /'],
      ['unique_name', 'order#42', 'Unique Name contains the reserved character #'],
    ])('when %s %j has a character the Conversations API reserves, before creating anything', async (property, value, message) => {
      const before = await conversationSids();
      const { sid, state } = await run(singleFlow, nextContact(), { [property]: value });
      expect(stepPath(state)).toContain('start_conversation-failed->Ended');
      expect(widgetOutput(state, 'start_conversation').error).toContain(message);
      expect(await activityTypes(stack, sid)).toEqual([]);
      expect(await conversationSids()).toEqual(before);
    });
  });

  it('passes the Conversation properties through to the Conversation resource and fills widgets.<name> and flow.channel', async () => {
    const contact = nextContact();
    const uniqueName = `survey-${randomBytes(4).toString('hex')}_v1.0`;
    const messagingServiceSid = 'MG' + randomBytes(16).toString('hex');
    const { sid, state } = await run(singleFlow, contact, {
      friendly_name: 'Survey Ann - visit 3',
      unique_name: uniqueName,
      attributes: '{"source":"studio","visit":3}',
      timers_inactive: 'PT10M',
      timers_closed: 'PT1H',
      messaging_service_sid: messagingServiceSid,
      participant_attributes: '{"role":"customer"}',
      email_address: 'support@example.com',
      email_name: 'Support Team',
    });
    expect(stepPath(state)).toEqual(['Trigger-incomingRequest->start_conversation', 'start_conversation-created->Ended']);
    const conversationSid = state.context.flow.channel.sid as string;

    const conversation = await stack.twilio.conversations.v1.conversations(conversationSid).fetch();
    expect(conversation).toMatchObject({ friendlyName: 'Survey Ann - visit 3', uniqueName, messagingServiceSid, state: 'active' });
    expect(JSON.parse(conversation.attributes)).toEqual({ source: 'studio', visit: 3 });
    expect(conversation.bindings).toEqual({ email: { address: 'support@example.com', name: 'Support Team' } });
    const timers = conversation.timers as { date_inactive: string; date_closed: string };
    const created = conversation.dateCreated.getTime();
    expect(Date.parse(timers.date_inactive) - created).toBeGreaterThanOrEqual(10 * 60_000 - 1000);
    expect(Date.parse(timers.date_inactive) - created).toBeLessThanOrEqual(10 * 60_000 + 1000);
    expect(Date.parse(timers.date_closed) - created).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(Date.parse(timers.date_closed) - created).toBeLessThanOrEqual(3600_000 + 1000);

    // A single participant, bound as the widget said.
    const participants = await stack.twilio.conversations.v1.conversations(conversationSid).participants.list();
    expect(participants).toHaveLength(1);
    expect(participants[0].messagingBinding).toMatchObject({ address: contact, proxy_address: PROXY });
    expect(JSON.parse(participants[0].attributes)).toEqual({ role: 'customer' });

    // The execution context: the Conversation resource with participants[0], the webhook, flow.channel.
    const output = widgetOutput(state, 'start_conversation') as {
      conversation: { sid: string; friendly_name: string; unique_name: string; participants: { sid: string }[] };
      webhook_sid: string;
    };
    expect(output.conversation).toMatchObject({ sid: conversationSid, friendly_name: 'Survey Ann - visit 3', unique_name: uniqueName });
    expect(output.conversation.participants[0].sid).toBe(participants[0].sid);
    expect(output.webhook_sid).toMatch(/^WH[0-9a-f]{32}$/);
    expect(state.context.flow.channel).toMatchObject({ sid: conversationSid, type: 'conversation', address: PROXY });
    // The execution ended, so its onMessageAdded webhook is gone (decision 8); the Conversation stays.
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
    expect(await activityTypes(stack, sid)).toEqual(['createConversation', 'createConversationParticipant', 'createConversationWebhook', 'deleteConversationWebhook']);
  });

  it('creates the Conversation in the Conversation Service the widget names', async () => {
    const serviceSid = 'IS' + randomBytes(16).toString('hex');
    const flowSid = await publish(
      stack,
      'in a service',
      flow([
        trigger({ incomingRequest: 'start_conversation' }),
        startConversation('start_conversation', { created: 'ask' }, { conversation_service_sid: serviceSid }),
        sendAndWait('ask', 'Which day suits you?'),
      ]),
    );
    const contact = nextContact();
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY });
    const asked = await receivedMessage(phone, contact, 'Which day suits you?', 'the question');
    const conversationSid = asked.conversation_sid!;
    const conversation = await stack.twilio.conversations.v1.services(serviceSid).conversations(conversationSid).fetch();
    expect(conversation.chatServiceSid).toBe(serviceSid);
    expect(await messageAddedWebhooks(stack, conversationSid, serviceSid)).toHaveLength(1);
    await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).update({ status: 'ended' });
    await endedState(stack, execution.sid);
    expect(await messageAddedWebhooks(stack, conversationSid, serviceSid)).toEqual([]);
  });

  it('talks to a chat participant (identity) and resumes on the chat user\'s reply', async () => {
    const flowSid = await publish(
      stack,
      'chat participant',
      flow([
        trigger({ incomingRequest: 'start_conversation' }),
        startConversation('start_conversation', { created: 'ask' }, { friendly_name: 'Chat with {{flow.data.identity}}' }, {
          type: 'chat',
          identity: '{{flow.data.identity}}',
          attributes: '{"channel":"web"}',
          role_sid: '',
        }),
        sendAndWait('ask', 'Hello {{flow.data.identity}}, how can we help?', { incomingMessage: 'thanks' }),
        sendMessage('thanks', 'You wrote: {{widgets.ask.inbound.Body}}'),
      ]),
    );
    const identity = `web-user-${randomBytes(3).toString('hex')}`;
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: identity, from: PROXY, parameters: { identity } });
    const asked = await receivedMessage(phone, identity, `Hello ${identity}, how can we help?`, 'the question');
    const conversationSid = asked.conversation_sid!;
    const participants = await stack.twilio.conversations.v1.conversations(conversationSid).participants.list();
    expect(participants.map((participant) => [participant.identity, participant.messagingBinding])).toEqual([[identity, null]]);
    expect(JSON.parse(participants[0].attributes)).toEqual({ channel: 'web' });

    // The chat user writes into the Conversation (To = its SID), as a Conversations SDK client would.
    await phone.send(identity, conversationSid, 'my order is late');
    const state = await endedState(stack, execution.sid);
    expect(stepPath(state)).toEqual(['Trigger-incomingRequest->start_conversation', 'start_conversation-created->ask', 'ask-incomingMessage->thanks', 'thanks-sent->Ended']);
    expect(state.context.flow.channel).toMatchObject({ sid: conversationSid, type: 'conversation', address: conversationSid });
    expect((await phone.received(identity)).map((message) => message.body)).toEqual([`Hello ${identity}, how can we help?`, 'You wrote: my order is late']);
  });

  it('gives the parent flow the Conversation a subflow created (flow.channel), and tears it down at the end', async () => {
    const parentSid = await publish(
      stack,
      'REST parent',
      flow([
        trigger({ incomingRequest: 'child' }),
        runSubflow('child', await publish(stack, 'child creating the Conversation', childFlow()), { completed: 'ask' }),
        sendAndWait('ask', 'Asked by the parent', { incomingMessage: 'thanks' }),
        sendMessage('thanks', 'Parent got {{widgets.ask.inbound.Body}}'),
      ]),
    );
    const contact = nextContact();
    const execution = await stack.twilio.studio.v2.flows(parentSid).executions.create({ to: contact, from: PROXY });
    const asked = await receivedMessage(phone, contact, 'Asked by the parent', 'the question');
    const conversationSid = asked.conversation_sid!;
    expect(conversationSid).toMatch(/^CH/);
    expect(await messageAddedWebhooks(stack, conversationSid)).toHaveLength(1);
    await phone.send(contact, PROXY, 'fine');
    const state = await endedState(stack, execution.sid);
    expect(stepPath(state)).toEqual([
      'Trigger-incomingRequest->child',
      'child-completed->ask',
      'Trigger-incomingParent->start_conversation',
      'start_conversation-created->Ended',
      'ask-incomingMessage->thanks',
      'thanks-sent->Ended',
    ]);
    expect(state.context.flow.channel).toMatchObject({ sid: conversationSid, type: 'conversation', address: PROXY });
    expect((await phone.received(contact)).map((message) => message.body)).toEqual(['Asked by the parent', 'Parent got fine']);
    expect(await messageAddedWebhooks(stack, conversationSid)).toEqual([]);
  });

  it('closes the Conversation when the execution ends if close_conversation_on_execution_end is set, and only then', async () => {
    const definition = (close: boolean) =>
      flow([
        trigger({ incomingRequest: 'start_conversation' }),
        startConversation('start_conversation', { created: 'bye' }, { close_conversation_on_execution_end: close }),
        sendMessage('bye', 'Thanks, that is all.'),
      ]);
    const closing = await publish(stack, 'closes', definition(true));
    const keeping = await publish(stack, 'keeps', definition(false));

    const closed = await run(closing, nextContact());
    expect(widgetOutput(closed.state, 'start_conversation').close_channel_on_execution_end).toBe(true);
    const closedSid = closed.state.context.flow.channel.sid as string;
    expect((await stack.twilio.conversations.v1.conversations(closedSid).fetch()).state).toBe('closed');
    expect(await activityTypes(stack, closed.sid)).toEqual([
      'createConversation',
      'createConversationParticipant',
      'createConversationWebhook',
      'sendConversationMessage',
      'deleteConversationWebhook',
      'closeConversation',
    ]);

    const kept = await run(keeping, nextContact());
    expect((await stack.twilio.conversations.v1.conversations(kept.state.context.flow.channel.sid as string).fetch()).state).toBe('active');
    expect(await activityTypes(stack, kept.sid)).not.toContain('closeConversation');
  });
});
