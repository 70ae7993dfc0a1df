// Injected faults (POST /Emulator/Faults) and Flex Interactions, through the real `twilio` client.
import type twilio from 'twilio';
import { getJson, postForm, startEmulator, expectResponsesMatchTwilioSchemas } from './emulator-harness';
import type { RunningEmulator } from './emulator-harness';

const CUSTOMER = '+15550003333';
const OTHER_CUSTOMER = '+15550004444';
const TWILIO_NUMBER = '+15557651111';

async function failure(promise: Promise<unknown>): Promise<{ status: number; code?: number }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: { status: number; code?: number }) => ({ status: error.status, code: error.code }),
  );
}

describe('emulator: faults and Flex', () => {
  let running: RunningEmulator;
  let client: twilio.Twilio;
  const fault = (form: Record<string, string>) => postForm(`${running.baseUrl}/Emulator/Faults`, form);

  beforeAll(async () => {
    running = await startEmulator();
    client = running.client;
  });
  afterAll(() => running.close());
  afterEach(expectResponsesMatchTwilioSchemas);
  beforeEach(() => running.emulator.reset());

  async function conversationWith(address: string): Promise<string> {
    const conversation = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(conversation.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': TWILIO_NUMBER });
    return conversation.sid;
  }

  test('createConversation fails the next Count calls with 500 / 20500, then works again', async () => {
    expect((await fault({ Operation: 'createConversation', Count: '2' })).status).toBe(201);
    expect(await failure(client.conversations.v1.conversations.create({}))).toEqual({ status: 500, code: 20500 });
    expect(await failure(client.conversations.v1.conversations.create({}))).toEqual({ status: 500, code: 20500 });
    await expect(client.conversations.v1.conversations.create({})).resolves.toMatchObject({ sid: expect.stringMatching(/^CH/) });
    expect(await client.conversations.v1.conversations.list()).toHaveLength(1);
  });

  test('a fault with an Address only hits calls concerning that address', async () => {
    const first = await client.conversations.v1.conversations.create({});
    const second = await client.conversations.v1.conversations.create({});
    await fault({ Operation: 'createParticipant', Address: CUSTOMER });
    await client.conversations.v1.conversations(first.sid).participants.create({ 'messagingBinding.address': OTHER_CUSTOMER, 'messagingBinding.proxyAddress': TWILIO_NUMBER });
    expect(
      await failure(client.conversations.v1.conversations(second.sid).participants.create({ 'messagingBinding.address': CUSTOMER, 'messagingBinding.proxyAddress': TWILIO_NUMBER })),
    ).toEqual({ status: 500, code: 20500 });

    const withCustomer = await conversationWith(CUSTOMER);
    await fault({ Operation: 'sendMessage', Address: CUSTOMER });
    await client.conversations.v1.conversations(first.sid).messages.create({ body: 'fine' });
    expect(await failure(client.conversations.v1.conversations(withCustomer).messages.create({ body: 'fails' }))).toEqual({ status: 500, code: 20500 });
    await client.conversations.v1.conversations(withCustomer).messages.create({ body: 'fine again' });
  });

  test('Status and Code choose the failure (429 / 20429 on webhook calls; a Twilio 400)', async () => {
    const conversation = await conversationWith(CUSTOMER);
    await fault({ Operation: 'createWebhook', Status: '429' });
    expect(await failure(client.conversations.v1.conversations(conversation).webhooks.create({ target: 'studio', 'configuration.flowSid': 'FW' + '1'.repeat(32) }))).toEqual({
      status: 429,
      code: 20429,
    });
    const hook = await client.conversations.v1.conversations(conversation).webhooks.create({ target: 'studio', 'configuration.flowSid': 'FW' + '1'.repeat(32) });
    await fault({ Operation: 'deleteWebhook', Status: '400', Code: '50361' });
    expect(await failure(client.conversations.v1.conversations(conversation).webhooks(hook.sid).remove())).toEqual({ status: 400, code: 50361 });
    await client.conversations.v1.conversations(conversation).webhooks(hook.sid).remove();
  });

  test('sendMessage also fails Programmable Messaging sends; faults can be listed and cleared', async () => {
    await fault({ Operation: 'sendMessage', Address: CUSTOMER, Count: '3' });
    expect(await failure(client.messages.create({ to: CUSTOMER, from: TWILIO_NUMBER, body: 'x' }))).toEqual({ status: 500, code: 20500 });
    const listed = await getJson(`${running.baseUrl}/Emulator/Faults`);
    expect(listed.body.faults).toEqual([{ operation: 'sendMessage', address: CUSTOMER, count: 2, status: 500, code: 20500, delivery_status: 'undelivered' }]);
    await fetch(`${running.baseUrl}/Emulator/Faults`, { method: 'DELETE' });
    await expect(client.messages.create({ to: CUSTOMER, from: TWILIO_NUMBER, body: 'x' })).resolves.toMatchObject({ status: 'queued' });
  });

  test('an unknown Operation is refused', async () => {
    const refused = await fault({ Operation: 'explode' });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('createConversation');
  });

  test('Flex Interactions: create returns KD/UO/WT SIDs and can be fetched; createInteraction faults fail it', async () => {
    const conversation = await conversationWith(CUSTOMER);
    const interaction = await client.flexApi.v1.interaction.create({
      channel: { type: 'sms', initiated_by: 'customer', properties: { media_channel_sid: conversation } },
      routing: { properties: { workspace_sid: 'WS' + '2'.repeat(32), workflow_sid: 'WW' + '3'.repeat(32), task_channel_unique_name: 'sms', attributes: { from: CUSTOMER } } },
    });
    expect(interaction.sid).toMatch(/^KD[0-9a-f]{32}$/);
    expect(interaction.channel).toMatchObject({ type: 'sms', sid: expect.stringMatching(/^UO/), properties: { media_channel_sid: conversation } });
    expect(interaction.routing.properties).toMatchObject({
      task_sid: expect.stringMatching(/^WT/),
      workspace_sid: 'WS' + '2'.repeat(32),
      workflow_sid: 'WW' + '3'.repeat(32),
      attributes: JSON.stringify({ from: CUSTOMER }),
    });
    const fetched = await client.flexApi.v1.interaction(interaction.sid).fetch();
    expect(fetched.routing).toEqual(interaction.routing);
    expect(fetched.url).toBe(`${running.baseUrl}/v1/Interactions/${interaction.sid}`);

    await fault({ Operation: 'createInteraction' });
    expect(await failure(client.flexApi.v1.interaction.create({ channel: { type: 'sms', initiated_by: 'customer' } }))).toEqual({ status: 500, code: 20500 });
    expect((await failure(client.flexApi.v1.interaction.create({ channel: 'not json' }))).status).toBe(400);
  });
});
