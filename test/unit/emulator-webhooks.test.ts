// Inbound routing and webhooks as Twilio sends them: address auto-creation to the Studio flow URL,
// signatures, the echo rule, retries, timeouts, ordering, delivery updates, timers and chat.
import type twilio from 'twilio';
import { ACCOUNT_SID, deviceInbox, deviceSends, FLOW_SID, getJson, postForm, startEmulatorWithReceiver, WebhookReceiver, expectResponsesMatchTwilioSchemas } from './emulator-harness';
import type { EmulatorWithReceiver, ReceivedWebhook } from './emulator-harness';

const CUSTOMER = '+15550001111';
const TWILIO_NUMBER = '+15557654321';
const FLOW_PATH = `/v1/Accounts/${ACCOUNT_SID}/Flows/${FLOW_SID}`;

describe('emulator: inbound routing and webhooks', () => {
  let running: EmulatorWithReceiver;
  let receiver: WebhookReceiver;
  let client: twilio.Twilio;

  beforeAll(async () => {
    // Short enough for the timeout test, long enough that a loaded machine's slow answer is no timeout.
    running = await startEmulatorWithReceiver({ webhookTimeoutMs: 1500 });
    ({ receiver, client } = running);
  });
  afterAll(async () => running.close());
  afterEach(expectResponsesMatchTwilioSchemas);
  beforeEach(() => running.reset());

  async function configureStudioAutoCreation(): Promise<void> {
    await client.conversations.v1.addressConfigurations.create({
      type: 'sms',
      address: TWILIO_NUMBER,
      'autoCreation.enabled': true,
      'autoCreation.type': 'studio',
      'autoCreation.studioFlowSid': FLOW_SID,
    });
  }

  test('address auto-creation (studio) posts a signed onMessageAdded to the flow webhook URL', async () => {
    await configureStudioAutoCreation();
    const inbound = await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'Hi there');
    expect(inbound.status).toBe(201);
    expect(inbound.body).toEqual({ conversation_sid: expect.stringMatching(/^CH/), message_sid: expect.stringMatching(/^IM/) });

    const [hook] = await receiver.waitFor((received) => received.length === 1);
    expect(hook.method).toBe('POST');
    expect(hook.path).toBe(FLOW_PATH);
    expect(hook.url).toBe(`${receiver.baseUrl}${FLOW_PATH}`);
    expect(hook.signatureValid).toBe(true);
    expect(hook.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(hook.headers['i-twilio-idempotency-token']).toEqual(expect.any(String));
    expect(hook.params).toMatchObject({
      AccountSid: ACCOUNT_SID,
      EventType: 'onMessageAdded',
      ConversationSid: inbound.body.conversation_sid,
      MessageSid: inbound.body.message_sid,
      MessagingServiceSid: expect.stringMatching(/^MG/),
      ChatServiceSid: expect.stringMatching(/^IS/),
      Index: '0',
      Body: 'Hi there',
      Author: CUSTOMER,
      ParticipantSid: expect.stringMatching(/^MB/),
      Attributes: '{}',
      Source: 'SMS',
      WebhookType: 'studio',
    });
    expect(Date.parse(hook.params.DateCreated)).not.toBeNaN();

    // The Conversation was created with the customer bound to the number and the flow attached.
    const conversationSid: string = inbound.body.conversation_sid;
    const participants = await client.conversations.v1.conversations(conversationSid).participants.list();
    expect(participants.map((participant) => participant.messagingBinding)).toEqual([{ type: 'sms', address: CUSTOMER, proxy_address: TWILIO_NUMBER }]);
    const hooks = await client.conversations.v1.conversations(conversationSid).webhooks.list();
    expect(hooks.map((webhook) => [webhook.target, webhook.configuration])).toEqual([['studio', { flow_sid: FLOW_SID }]]);

    // The next message from the same device goes to the same Conversation.
    const second = await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'Second');
    expect(second.body.conversation_sid).toBe(conversationSid);
    await receiver.waitFor((received) => received.length === 2);
    expect(receiver.received[1].params).toMatchObject({ Index: '1', Body: 'Second' });
  });

  test('REST messages are delivered but do not echo; X-Twilio-Webhook-Enabled makes them fire', async () => {
    await configureStudioAutoCreation();
    const inbound = await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'Hello');
    await receiver.waitFor((received) => received.length === 1);

    const reply = await client.conversations.v1.conversations(inbound.body.conversation_sid).messages.create({ body: 'How can we help?' });
    await running.emulator.settled();
    expect(receiver.received).toHaveLength(1);
    expect(await deviceInbox(running.baseUrl, CUSTOMER)).toEqual([
      expect.objectContaining({ sid: reply.sid, conversation_sid: inbound.body.conversation_sid, from: TWILIO_NUMBER, to: CUSTOMER, body: 'How can we help?' }),
    ]);

    await client.conversations.v1.conversations(inbound.body.conversation_sid).messages.create({ body: 'Echo me', xTwilioWebhookEnabled: 'true' });
    const received = await receiver.waitFor((all) => all.length === 2);
    expect(received[1].params).toMatchObject({ EventType: 'onMessageAdded', Body: 'Echo me', Author: 'system', Source: 'API' });
  });

  test('a webhook answered with 500 is retried once, with the same idempotency token, then given up', async () => {
    await configureStudioAutoCreation();
    receiver.respondWith((_request, attempt) => ({ status: attempt === 1 ? 500 : 200 }));
    await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'retry me');
    const [first, second] = await receiver.waitFor((received) => received.length === 2);
    expect(first.headers['i-twilio-idempotency-token']).toBe(second.headers['i-twilio-idempotency-token']);
    expect([first.signatureValid, second.signatureValid]).toEqual([true, true]);
    expect([first.params.RetryCount, second.params.RetryCount]).toEqual(['0', '1']);
    expect(first.params.MessageSid).toBe(second.params.MessageSid);

    receiver.received.length = 0;
    receiver.respondWith(() => ({ status: 503 }));
    await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'always failing');
    await running.emulator.settled();
    expect(receiver.received).toHaveLength(2);

    receiver.received.length = 0;
    receiver.respondWith(() => ({ status: 400 }));
    await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'client error');
    await running.emulator.settled();
    expect(receiver.received).toHaveLength(1);
  });

  test('a webhook that times out is retried once', async () => {
    await configureStudioAutoCreation();
    receiver.respondWith((_request, attempt) => ({ status: 200, delayMs: attempt === 1 ? 4000 : 0 }));
    await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'slow');
    const received = await receiver.waitFor((all) => all.length === 2);
    expect(received[0].headers['i-twilio-idempotency-token']).toBe(received[1].headers['i-twilio-idempotency-token']);
    await running.emulator.settled();
    const log = await getJson(`${running.baseUrl}/Emulator/Webhooks`);
    expect(log.body.webhooks[0]).toMatchObject({ ok: true, attempts: 2, status: 200 });
  });

  test('webhooks of one Conversation arrive in order, after the device API has answered', async () => {
    await configureStudioAutoCreation();
    receiver.respondWith((request) => ({ status: 200, delayMs: request.params.Index === '0' ? 150 : 0 }));
    for (let i = 0; i < 5; i += 1) {
      const started = Date.now();
      const answer = await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, `m${i}`);
      expect(answer.status).toBe(201);
      expect(Date.now() - started).toBeLessThan(100);
    }
    const received = await receiver.waitFor((all) => all.length === 5);
    expect(received.map((request) => request.params.Body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  test('auto-creation of type webhook attaches the configured URL, method and filters', async () => {
    await client.conversations.v1.addressConfigurations.create({
      type: 'whatsapp',
      address: `whatsapp:${TWILIO_NUMBER}`,
      'autoCreation.enabled': true,
      'autoCreation.type': 'webhook',
      'autoCreation.webhookUrl': `${receiver.baseUrl}/hooks/conversations?tenant=a`,
      'autoCreation.webhookMethod': 'get',
      'autoCreation.webhookFilters': ['onMessageAdded'],
    });
    const inbound = await deviceSends(running.baseUrl, `whatsapp:${CUSTOMER}`, `whatsapp:${TWILIO_NUMBER}`, 'via WhatsApp');
    const [hook] = await receiver.waitFor((received) => received.length === 1);
    expect(hook.method).toBe('GET');
    expect(hook.path).toBe('/hooks/conversations');
    expect(hook.signatureValid).toBe(true);
    expect(hook.params).toMatchObject({ tenant: 'a', EventType: 'onMessageAdded', Source: 'WHATSAPP', Author: `whatsapp:${CUSTOMER}`, ConversationSid: inbound.body.conversation_sid });
  });

  test('onDeliveryUpdated reports sent then delivered, or undelivered 30003 under a deliver fault', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(conversation.sid).participants.create({ 'messagingBinding.address': CUSTOMER, 'messagingBinding.proxyAddress': TWILIO_NUMBER });
    await client.conversations.v1
      .conversations(conversation.sid)
      .webhooks.create({ target: 'webhook', 'configuration.url': `${receiver.baseUrl}/delivery`, 'configuration.filters': ['onDeliveryUpdated'] });

    const delivered = await client.conversations.v1.conversations(conversation.sid).messages.create({ body: 'one' });
    const ok = await receiver.waitFor((received) => received.length === 2);
    expect(ok.map((request) => request.params.Status)).toEqual(['sent', 'delivered']);
    expect(ok[1].params).toMatchObject({
      EventType: 'onDeliveryUpdated',
      MessageSid: delivered.sid,
      ConversationSid: conversation.sid,
      ParticipantSid: expect.stringMatching(/^MB/),
      DeliveryReceiptSid: expect.stringMatching(/^DY/),
      ChannelMessageSid: expect.stringMatching(/^SM/),
      ErrorCode: '0',
    });

    await postForm(`${running.baseUrl}/Emulator/Faults`, { Operation: 'deliver', Address: CUSTOMER });
    const failed = await client.conversations.v1.conversations(conversation.sid).messages.create({ body: 'two' });
    const all = await receiver.waitFor((received) => received.length === 4);
    expect(all.slice(2).map((request) => [request.params.Status, request.params.ErrorCode])).toEqual([
      ['sent', '0'],
      ['undelivered', '30003'],
    ]);
    expect((await deviceInbox(running.baseUrl, CUSTOMER)).map((message) => message.body)).toEqual(['one']);
    const receipts = await client.conversations.v1.conversations(conversation.sid).messages(failed.sid).deliveryReceipts.list();
    expect(receipts[0]).toMatchObject({ status: 'undelivered', errorCode: 30003 });
  });

  test('closing a Conversation releases the address pair: the next message auto-creates a new one', async () => {
    await configureStudioAutoCreation();
    const first = await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'first');
    await client.conversations.v1.conversations(first.body.conversation_sid).update({ state: 'closed' });
    const second = await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'after close');
    expect(second.body.conversation_sid).not.toBe(first.body.conversation_sid);
    const received = await receiver.waitFor((all) => all.length === 2);
    expect(received[1].params).toMatchObject({ ConversationSid: second.body.conversation_sid, Index: '0' });
  });

  test('timers move a Conversation to inactive then closed and notify onConversationStateUpdated', async () => {
    const conversation = await client.conversations.v1.conversations.create({ 'timers.inactive': 'PT1M', 'timers.closed': 'PT10M' });
    await client.conversations.v1.conversations(conversation.sid).participants.create({ 'messagingBinding.address': CUSTOMER, 'messagingBinding.proxyAddress': TWILIO_NUMBER });
    await client.conversations.v1
      .conversations(conversation.sid)
      .webhooks.create({ target: 'webhook', 'configuration.url': `${receiver.baseUrl}/state`, 'configuration.filters': ['onConversationStateUpdated'] });

    await postForm(`${running.baseUrl}/Emulator/Clock`, { Advance: 'PT2M' });
    expect((await client.conversations.v1.conversations(conversation.sid).fetch()).state).toBe('inactive');
    // A message from the device makes it active again.
    await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'still there?');
    expect((await client.conversations.v1.conversations(conversation.sid).fetch()).state).toBe('active');
    await postForm(`${running.baseUrl}/Emulator/Clock`, { Advance: 'PT11M' });
    expect((await client.conversations.v1.conversations(conversation.sid).fetch()).state).toBe('closed');

    const changes = await receiver.waitFor((all) => all.length === 3);
    expect(changes.map((request: ReceivedWebhook) => [request.params.StateFrom, request.params.StateTo, request.params.Reason])).toEqual([
      ['active', 'inactive', 'TIMER'],
      ['inactive', 'active', 'EVENT'],
      ['active', 'closed', 'TIMER'],
    ]);
    const orphan = await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'anyone?');
    expect(orphan.status).toBe(404);
    expect(orphan.body).toMatchObject({ code: 20404, status: 404, more_info: expect.stringContaining('20404') });
  });

  test('chat: an identity writes to its Conversation (Source SDK) and SMS participants receive it', async () => {
    const conversation = await client.conversations.v1.conversations.create({ uniqueName: 'support-chat' });
    await client.conversations.v1.conversations(conversation.sid).participants.create({ identity: 'agent-ann' });
    await client.conversations.v1.conversations(conversation.sid).participants.create({ 'messagingBinding.address': CUSTOMER, 'messagingBinding.proxyAddress': TWILIO_NUMBER });
    await client.conversations.v1
      .conversations(conversation.sid)
      .webhooks.create({ target: 'trigger', 'configuration.url': `${receiver.baseUrl}/trigger`, 'configuration.triggers': ['help'] });
    await client.conversations.v1.conversations(conversation.sid).webhooks.create({ target: 'studio', 'configuration.flowSid': FLOW_SID });

    const sent = await deviceSends(running.baseUrl, 'agent-ann', conversation.sid, 'help is on the way');
    expect(sent.body.conversation_sid).toBe(conversation.sid);
    const received = await receiver.waitFor((all) => all.length === 2);
    expect(received.map((request) => request.path).sort()).toEqual([FLOW_PATH, '/trigger'].sort());
    expect(received[0].params).toMatchObject({ Source: 'SDK', ClientIdentity: 'agent-ann', Author: 'agent-ann' });
    expect((await deviceInbox(running.baseUrl, CUSTOMER)).map((message) => [message.from, message.body])).toEqual([[TWILIO_NUMBER, 'help is on the way']]);

    // The customer's reply reaches the agent's chat inbox; by UniqueName works as a chat address too.
    await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'thanks');
    expect((await deviceInbox(running.baseUrl, 'agent-ann')).map((message) => [message.from, message.body])).toEqual([[CUSTOMER, 'thanks']]);
    expect((await deviceSends(running.baseUrl, 'stranger', 'support-chat', 'let me in')).body).toMatchObject({ status: 400, code: 50430 });
  });

  test('Configuration.ReplayAfter replays earlier messages to a new hook', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(conversation.sid).participants.create({ 'messagingBinding.address': CUSTOMER, 'messagingBinding.proxyAddress': TWILIO_NUMBER });
    await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'zero');
    await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'one');
    await client.conversations.v1.conversations(conversation.sid).webhooks.create({ target: 'studio', 'configuration.flowSid': FLOW_SID, 'configuration.replayAfter': 1 });
    const received = await receiver.waitFor((all) => all.length === 1);
    expect(received[0].params).toMatchObject({ Body: 'one', Index: '1' });
  });
});
