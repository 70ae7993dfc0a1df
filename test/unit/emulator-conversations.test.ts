// Conversations v1 REST, driven by the real `twilio` client; every raw response body is checked against
// Twilio's OpenAPI schema.
import type twilio from 'twilio';
import {
  basicAuth,
  FLOW_SID,
  getJson,
  postForm,
  SCHEMA,
  startEmulator,
  expectTwilioShape,
  ACCOUNT_SID,
  twilioClientFor,
  expectResponsesMatchTwilioSchemas,
  checkedResponseCount,
  conversationSchemas,
} from './emulator-harness';
import type { ResponseJson, RunningEmulator } from './emulator-harness';

/** The raw JSON of the client's last response (the client hands back camelCase instances). */
function lastBody(client: twilio.Twilio): ResponseJson {
  return client.httpClient.lastResponse?.body;
}

async function twilioError(promise: Promise<unknown>): Promise<{ status: number; code: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const { status, code, message } = error as { status: number; code?: number; message: string };
    return { status, code, message };
  }
  throw new Error('expected the call to fail');
}

describe('emulator: Conversations v1', () => {
  let running: RunningEmulator;
  let client: twilio.Twilio;

  beforeAll(async () => {
    running = await startEmulator();
    client = running.client;
  });
  afterAll(async () => {
    await running.close();
    // Proves the automatic shape check above really ran (it is a no-op without ../shared).
    if (conversationSchemas) expect(checkedResponseCount()).toBeGreaterThan(30);
  });
  afterEach(expectResponsesMatchTwilioSchemas);
  beforeEach(() => running.emulator.reset());

  test('creates, fetches (by SID and UniqueName), updates, lists and deletes a conversation', async () => {
    const created = await client.conversations.v1.conversations.create({
      friendlyName: 'Support',
      uniqueName: 'support-1',
      attributes: JSON.stringify({ topic: 'billing' }),
      'timers.inactive': 'PT5M',
      'timers.closed': 'PT1H',
    });
    const createdBody = lastBody(client);
    expectTwilioShape(SCHEMA.conversation, createdBody);
    expect(created.sid).toMatch(/^CH[0-9a-f]{32}$/);
    expect(createdBody).toMatchObject({
      account_sid: ACCOUNT_SID,
      friendly_name: 'Support',
      unique_name: 'support-1',
      attributes: '{"topic":"billing"}',
      state: 'active',
      chat_service_sid: expect.stringMatching(/^IS/),
      messaging_service_sid: expect.stringMatching(/^MG/),
      url: `${running.baseUrl}/v1/Conversations/${created.sid}`,
    });
    expect(createdBody.links.participants).toBe(`${running.baseUrl}/v1/Conversations/${created.sid}/Participants`);
    expect(Date.parse(createdBody.timers.date_closed) - Date.parse(createdBody.timers.date_inactive)).toBe(55 * 60_000);

    const byUniqueName = await client.conversations.v1.conversations('support-1').fetch();
    expect(byUniqueName.sid).toBe(created.sid);
    expectTwilioShape(SCHEMA.conversation, lastBody(client));

    const updated = await client.conversations.v1.conversations(created.sid).update({ friendlyName: 'Support (VIP)', state: 'inactive' });
    expect(updated.friendlyName).toBe('Support (VIP)');
    expect(updated.state).toBe('inactive');
    expectTwilioShape(SCHEMA.conversation, lastBody(client));

    const listed = await client.conversations.v1.conversations.list();
    expect(listed.map((conversation) => conversation.sid)).toEqual([created.sid]);
    const listBody = lastBody(client);
    expect(listBody.meta).toMatchObject({ key: 'conversations', page: 0, page_size: 50, next_page_url: null });
    listBody.conversations.forEach((body: unknown) => expectTwilioShape(SCHEMA.conversation, body));

    await client.conversations.v1.conversations(created.sid).remove();
    expect(await twilioError(client.conversations.v1.conversations(created.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  test('refuses a duplicate UniqueName (409, 50353), non-JSON Attributes and bad timers with Twilio codes', async () => {
    await client.conversations.v1.conversations.create({ uniqueName: 'only-one' });
    expect(await twilioError(client.conversations.v1.conversations.create({ uniqueName: 'only-one' }))).toMatchObject({ status: 409, code: 50353 });
    expect(await twilioError(client.conversations.v1.conversations.create({ attributes: '{not json' }))).toMatchObject({ status: 400, code: 50304 });
    expect(await twilioError(client.conversations.v1.conversations.create({ 'timers.inactive': 'PT30S' }))).toMatchObject({ status: 400, code: 50375 });
    expect(await twilioError(client.conversations.v1.conversations.create({ 'timers.closed': 'PT5M' }))).toMatchObject({ status: 400, code: 50376 });
    expect(await twilioError(client.conversations.v1.conversations.create({ 'timers.inactive': 'soon' }))).toMatchObject({ status: 400, code: 50379 });
    expect(await twilioError(client.conversations.v1.conversations.create({ 'timers.closed': '10 minutes' }))).toMatchObject({ status: 400, code: 50380 });
    expect(await twilioError(client.conversations.v1.conversations.create({ state: 'closed' }))).toMatchObject({ status: 400, code: 50384 });
  });

  test('participants: messaging binding, chat identity, one active conversation per address pair (409, 50416), no group MMS', async () => {
    const first = await client.conversations.v1.conversations.create({ friendlyName: 'first' });
    const participant = await client.conversations.v1
      .conversations(first.sid)
      .participants.create({ 'messagingBinding.address': '+15551230001', 'messagingBinding.proxyAddress': '+15557654321', attributes: '{"role":"customer"}' });
    const participantBody = lastBody(client);
    expectTwilioShape(SCHEMA.participant, participantBody);
    expect(participantBody).toMatchObject({
      sid: participant.sid,
      conversation_sid: first.sid,
      identity: null,
      messaging_binding: { type: 'sms', address: '+15551230001', proxy_address: '+15557654321' },
      url: `${running.baseUrl}/v1/Conversations/${first.sid}/Participants/${participant.sid}`,
    });

    const agent = await client.conversations.v1.conversations(first.sid).participants.create({ identity: 'agent-ann' });
    expect(lastBody(client)).toMatchObject({ identity: 'agent-ann', messaging_binding: null });
    expect(await twilioError(client.conversations.v1.conversations(first.sid).participants.create({ identity: 'agent-ann' }))).toMatchObject({ status: 409, code: 50433 });

    const whatsapp = await client.conversations.v1
      .conversations(first.sid)
      .participants.create({ 'messagingBinding.address': 'whatsapp:+15551230001', 'messagingBinding.proxyAddress': 'whatsapp:+15557654321' });
    expect(lastBody(client).messaging_binding.type).toBe('whatsapp');

    const second = await client.conversations.v1.conversations.create({ friendlyName: 'second' });
    const conflict = await twilioError(
      client.conversations.v1.conversations(second.sid).participants.create({ 'messagingBinding.address': '+15551230001', 'messagingBinding.proxyAddress': '+15557654321' }),
    );
    expect(conflict).toMatchObject({ status: 409, code: 50416 });
    expect(conflict.message).toContain(first.sid);

    expect(
      await twilioError(client.conversations.v1.conversations(second.sid).participants.create({ identity: 'x', 'messagingBinding.projectedAddress': '+15557654321' })),
    ).toMatchObject({ status: 400, code: 50452 });

    const list = await client.conversations.v1.conversations(first.sid).participants.list();
    expect(list.map((p) => p.sid).sort()).toEqual([participant.sid, agent.sid, whatsapp.sid].sort());
    lastBody(client).participants.forEach((body: unknown) => expectTwilioShape(SCHEMA.participant, body));

    // Closing the first conversation releases the pair.
    await client.conversations.v1.conversations(first.sid).update({ state: 'closed' });
    await client.conversations.v1.conversations(second.sid).participants.create({ 'messagingBinding.address': '+15551230001', 'messagingBinding.proxyAddress': '+15557654321' });
    expect(await twilioError(client.conversations.v1.conversations(first.sid).messages.create({ body: 'too late' }))).toMatchObject({ status: 400, code: 50377 });
    expect(await twilioError(client.conversations.v1.conversations(first.sid).update({ friendlyName: 'reopen?' }))).toMatchObject({ status: 400, code: 50377 });

    const secondParticipants = await client.conversations.v1.conversations(second.sid).participants.list();
    await client.conversations.v1.conversations(second.sid).participants(secondParticipants[0].sid).remove();
    expect(await client.conversations.v1.conversations(second.sid).participants.list()).toHaveLength(0);
  });

  test('conversation-scoped webhooks read back as Twilio writes them (studio: configuration {flow_sid})', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    const studio = await client.conversations.v1.conversations(conversation.sid).webhooks.create({ target: 'studio', 'configuration.flowSid': FLOW_SID });
    const studioBody = lastBody(client);
    expectTwilioShape(SCHEMA.webhook, studioBody);
    expect(studioBody).toMatchObject({ sid: studio.sid, target: 'studio', configuration: { flow_sid: FLOW_SID } });
    expect(Object.keys(studioBody.configuration)).toEqual(['flow_sid']);

    await client.conversations.v1.conversations(conversation.sid).webhooks.create({
      target: 'webhook',
      'configuration.url': 'https://example.com/hook',
      'configuration.method': 'post',
      'configuration.filters': ['onMessageAdded', 'onDeliveryUpdated'],
    });
    expect(lastBody(client).configuration).toEqual({ url: 'https://example.com/hook', method: 'post', filters: ['onMessageAdded', 'onDeliveryUpdated'] });

    const hooks = await client.conversations.v1.conversations(conversation.sid).webhooks.list();
    expect(hooks).toHaveLength(2);
    lastBody(client).webhooks.forEach((body: unknown) => expectTwilioShape(SCHEMA.webhook, body));

    expect(await twilioError(client.conversations.v1.conversations(conversation.sid).webhooks.create({ target: 'studio' }))).toMatchObject({ status: 400 });
    await client.conversations.v1.conversations(conversation.sid).webhooks(studio.sid).remove();
    expect(await client.conversations.v1.conversations(conversation.sid).webhooks.list()).toHaveLength(1);
    for (let i = 0; i < 4; i += 1) {
      await client.conversations.v1.conversations(conversation.sid).webhooks.create({ target: 'webhook', 'configuration.url': `https://example.com/${i}`, 'configuration.filters': ['onMessageAdded'] });
    }
    expect(
      await twilioError(client.conversations.v1.conversations(conversation.sid).webhooks.create({ target: 'webhook', 'configuration.url': 'https://example.com/6' })),
    ).toMatchObject({ status: 400, code: 50361 });
  });

  test('messages: Author defaults to system, indexes grow, Order=desc and PageSize page with absolute URLs', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    const sids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const message = await client.conversations.v1.conversations(conversation.sid).messages.create({ body: `message ${i}`, attributes: '{"n":' + i + '}' });
      expectTwilioShape(SCHEMA.message, lastBody(client));
      sids.push(message.sid);
    }
    const first = await client.conversations.v1.conversations(conversation.sid).messages(sids[0]).fetch();
    expect(first).toMatchObject({ author: 'system', body: 'message 0', index: 0 });
    expectTwilioShape(SCHEMA.message, lastBody(client));

    const page = await getJson(`${running.baseUrl}/v1/Conversations/${conversation.sid}/Messages?Order=desc&PageSize=2`, basicAuth());
    expect(page.status).toBe(200);
    expect(page.body.messages.map((m: { index: number }) => m.index)).toEqual([4, 3]);
    expect(page.body.meta).toEqual({
      page: 0,
      page_size: 2,
      first_page_url: `${running.baseUrl}/v1/Conversations/${conversation.sid}/Messages?Order=desc&PageSize=2&Page=0`,
      previous_page_url: null,
      url: `${running.baseUrl}/v1/Conversations/${conversation.sid}/Messages?Order=desc&PageSize=2&Page=0`,
      next_page_url: `${running.baseUrl}/v1/Conversations/${conversation.sid}/Messages?Order=desc&PageSize=2&Page=1`,
      key: 'messages',
    });
    page.body.messages.forEach((body: unknown) => expectTwilioShape(SCHEMA.message, body));

    // The client follows next_page_url through every page.
    const all = await client.conversations.v1.conversations(conversation.sid).messages.list({ order: 'desc', pageSize: 2 });
    expect(all.map((message) => message.index)).toEqual([4, 3, 2, 1, 0]);
  });

  test('a message reaches every messaging participant, from its proxy address, with delivery receipts', async () => {
    const conversation = await client.conversations.v1.conversations.create({});
    const participant = await client.conversations.v1
      .conversations(conversation.sid)
      .participants.create({ 'messagingBinding.address': '+15551230002', 'messagingBinding.proxyAddress': '+15557654321' });
    const message = await client.conversations.v1.conversations(conversation.sid).messages.create({ author: 'studio', body: 'Hello from the flow' });
    expect(lastBody(client).delivery).toMatchObject({ total: 1, delivered: 'all', failed: 'none' });
    const inbox = await getJson(`${running.baseUrl}/Emulator/Outbound?To=${encodeURIComponent('+15551230002')}`);
    expect(inbox.body.messages).toEqual([
      expect.objectContaining({ sid: message.sid, conversation_sid: conversation.sid, from: '+15557654321', to: '+15551230002', body: 'Hello from the flow' }),
    ]);
    const receipts = await client.conversations.v1.conversations(conversation.sid).messages(message.sid).deliveryReceipts.list();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ participantSid: participant.sid, status: 'delivered' });
    lastBody(client).delivery_receipts.forEach((body: unknown) => expectTwilioShape(SCHEMA.receipt, body));
  });

  test('address configuration: create with studio auto-creation, fetch by SID or address, update, list by Type, delete', async () => {
    const created = await client.conversations.v1.addressConfigurations.create({
      type: 'sms',
      address: '+15557654321',
      friendlyName: 'Main line',
      'autoCreation.enabled': true,
      'autoCreation.type': 'studio',
      'autoCreation.studioFlowSid': FLOW_SID,
      'autoCreation.studioRetryCount': 2,
    });
    const createdBody = lastBody(client);
    expectTwilioShape(SCHEMA.addressConfiguration, createdBody);
    expect(createdBody).toMatchObject({
      sid: created.sid,
      type: 'sms',
      address: '+15557654321',
      auto_creation: { enabled: true, type: 'studio', studio_flow_sid: FLOW_SID, studio_retry_count: 2, conversation_service_sid: expect.stringMatching(/^IS/) },
    });
    await client.conversations.v1.addressConfigurations('+15557654321').fetch();
    expect(lastBody(client).sid).toBe(created.sid);

    await client.conversations.v1.addressConfigurations(created.sid).update({
      'autoCreation.type': 'webhook',
      'autoCreation.webhookUrl': 'https://example.com/auto',
      'autoCreation.webhookMethod': 'post',
      'autoCreation.webhookFilters': ['onMessageAdded', 'onParticipantAdded'],
    });
    expect(lastBody(client).auto_creation).toMatchObject({ type: 'webhook', webhook_url: 'https://example.com/auto', webhook_method: 'POST', webhook_filters: ['onMessageAdded', 'onParticipantAdded'] });
    expectTwilioShape(SCHEMA.addressConfiguration, lastBody(client));

    await client.conversations.v1.addressConfigurations.create({ type: 'whatsapp', address: 'whatsapp:+15557654321' });
    const smsOnly = await client.conversations.v1.addressConfigurations.list({ type: 'sms' });
    expect(smsOnly.map((configuration) => configuration.sid)).toEqual([created.sid]);
    lastBody(client).address_configurations.forEach((body: unknown) => expectTwilioShape(SCHEMA.addressConfiguration, body));

    expect(await twilioError(client.conversations.v1.addressConfigurations.create({ type: 'sms', address: '+15557654321' }))).toMatchObject({ status: 409 });
    await client.conversations.v1.addressConfigurations(created.sid).remove();
    expect(await client.conversations.v1.addressConfigurations.list()).toHaveLength(1);
  });

  test('service-scoped aliases address the same conversations', async () => {
    const conversation = await client.conversations.v1.conversations.create({ friendlyName: 'scoped' });
    const service = conversation.chatServiceSid;
    const fetched = await client.conversations.v1.services(service).conversations(conversation.sid).fetch();
    expect(fetched.friendlyName).toBe('scoped');
    await client.conversations.v1.services(service).conversations(conversation.sid).messages.create({ body: 'via service path' });
    expect(await client.conversations.v1.conversations(conversation.sid).messages.list()).toHaveLength(1);
  });

  test('answers 401 in Twilio shape without valid credentials; the device API needs none', async () => {
    const wrong = twilioClientFor(running.baseUrl, ACCOUNT_SID, 'not-the-token');
    expect(await twilioError(wrong.conversations.v1.conversations.list())).toMatchObject({ status: 401, code: 20003 });
    const anonymous = await postForm(`${running.baseUrl}/v1/Conversations`, { FriendlyName: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    expect((await getJson(`${running.baseUrl}/Emulator/Outbound?To=%2B1555`)).status).toBe(200);
  });
});
