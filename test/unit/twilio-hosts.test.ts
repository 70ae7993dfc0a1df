// Issue 5.6: the activities that run against the emulator locally call Twilio's real hosts with real
// credentials and no TWILIO_API_BASE_URL — the same paths, methods and form parameters, only the host
// differs. No network: the twilio client's HTTP layer is replaced by a recorder, and each activity runs in
// Temporal's MockActivityEnvironment (it reads its attempt number from the activity Context).
import { MockActivityEnvironment } from '@temporalio/testing';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { createConversationActivities } from '../../activities/conversations';
import { createFlexActivities } from '../../activities/flex';
import { createMessagingActivities } from '../../activities/messaging';
import { createTwilioClient, type TwilioClient } from '../../activities/twilio-client';

const ACCOUNT_SID = 'AC' + '1'.repeat(32);
const AUTH_TOKEN = 'a-real-looking-auth-token';
const CONVERSATION = 'CH' + '2'.repeat(32);
const WEBHOOK = 'WH' + '3'.repeat(32);
const SERVICE = 'IS' + '4'.repeat(32);
const EMULATOR = 'http://127.0.0.1:3001';
const flowWebhookUrl = (flowSid: string) => `https://studio.example.com/v1/Accounts/${ACCOUNT_SID}/Flows/${flowSid}`;

interface Recorded {
  method: string;
  uri: string;
  data: Record<string, unknown> | undefined;
  headers: Record<string, string>;
  username?: string;
  password?: string;
}

/** What Twilio would answer, enough for the client to build its resource objects. */
function fakeResponse(method: string, uri: string): { statusCode: number; body: unknown; headers: Record<string, string> } {
  const path = new URL(uri).pathname;
  if (method === 'delete') return { statusCode: 204, body: '', headers: {} };
  const resource: Record<string, unknown> = { account_sid: ACCOUNT_SID, date_created: '2026-01-01T00:00:00Z', date_updated: '2026-01-01T00:00:00Z' };
  if (path.endsWith('/Participants')) Object.assign(resource, { sid: 'MB' + '5'.repeat(32), conversation_sid: CONVERSATION });
  else if (path.endsWith('/Webhooks')) Object.assign(resource, { sid: WEBHOOK, conversation_sid: CONVERSATION, target: 'webhook' });
  else if (path.endsWith('/Messages')) Object.assign(resource, { sid: 'IM' + '6'.repeat(32), conversation_sid: CONVERSATION, body: 'hello', index: 0 });
  else if (path.endsWith('/Messages.json')) Object.assign(resource, { sid: 'SM' + '7'.repeat(32), body: 'hello', status: 'queued', date_created: 'Thu, 01 Jan 2026 00:00:00 +0000' });
  else if (path.endsWith('/Interactions')) Object.assign(resource, { sid: 'KD' + '8'.repeat(32), channel: {}, routing: {} });
  else Object.assign(resource, { sid: CONVERSATION, chat_service_sid: SERVICE, state: 'active' });
  return { statusCode: 201, body: JSON.stringify(resource), headers: {} };
}

function recordInto(requests: Recorded[]) {
  return (options: RequestClient.RequestOptions) => {
    requests.push({
      method: options.method,
      uri: options.uri,
      data: options.data as Record<string, unknown> | undefined,
      headers: (options.headers ?? {}) as Record<string, string>,
      username: options.username,
      password: options.password,
    });
    return Promise.resolve(fakeResponse(options.method, options.uri)) as never;
  };
}

/** Calls every activity once, each in a mock activity Context (attempt 1). */
async function callEveryActivity(client: TwilioClient): Promise<void> {
  const conversations = createConversationActivities({ client, flowWebhookUrl });
  const messaging = createMessagingActivities({ client, flowWebhookUrl });
  const flex = createFlexActivities({ client });
  const environment = new MockActivityEnvironment();
  await environment.run(conversations.createConversation, {
    friendlyName: 'Survey Ann',
    uniqueName: 'survey-1',
    attributes: '{"source":"studio"}',
    timersInactive: 'PT10M',
    timersClosed: 'PT1H',
    messagingServiceSid: 'MG' + '9'.repeat(32),
  });
  await environment.run(conversations.createConversation, { conversationServiceSid: SERVICE, friendlyName: 'In a service' });
  await environment.run(conversations.createConversationParticipant, {
    conversationSid: CONVERSATION,
    participant: { type: 'messaging' as const, address: '+15551234567', proxyAddress: '+15005550006', attributes: '{"role":"customer"}' },
  });
  await environment.run(conversations.createConversationParticipant, { conversationSid: CONVERSATION, participant: { type: 'chat' as const, identity: 'web-user' } });
  await environment.run(conversations.createConversationWebhook, { conversationSid: CONVERSATION, flowSid: 'FW' + 'a'.repeat(32), executionSid: 'FN' + 'b'.repeat(32) });
  await environment.run(conversations.deleteConversationWebhook, { conversationSid: CONVERSATION, webhookSid: WEBHOOK });
  await environment.run(conversations.sendConversationMessage, { conversationSid: CONVERSATION, body: 'hello', idempotencyKey: 'FNx/FTy' });
  await environment.run(messaging.sendSms, {
    from: '+15005550006',
    to: '+15551234567',
    body: 'hello',
    flowSid: 'FW' + 'a'.repeat(32),
    executionSid: 'FN' + 'b'.repeat(32),
    notBefore: '2026-01-01T00:00:00.000Z',
  });
  await environment.run(flex.createFlexInteraction, {
    workflowSid: 'WW' + 'c'.repeat(32),
    taskChannel: 'chat',
    attributes: '{"name":"Ann"}',
    priority: 5,
    timeout: 600,
    conversationSid: CONVERSATION,
    contactAddress: '+15551234567',
    channelAddress: '+15005550006',
  });
}

/** The requests every activity makes, host aside: the same whether they go to Twilio or the emulator. */
function expectedRequests(base: { conversations: string; api: string; flex: string }) {
  const executionUrl = `${flowWebhookUrl('FW' + 'a'.repeat(32))}?ExecutionSid=${'FN' + 'b'.repeat(32)}`;
  return [
    {
      method: 'post',
      uri: `${base.conversations}/v1/Conversations`,
      data: {
        FriendlyName: 'Survey Ann',
        UniqueName: 'survey-1',
        Attributes: '{"source":"studio"}',
        MessagingServiceSid: 'MG' + '9'.repeat(32),
        'Timers.Inactive': 'PT10M',
        'Timers.Closed': 'PT1H',
      },
    },
    { method: 'post', uri: `${base.conversations}/v1/Services/${SERVICE}/Conversations`, data: { FriendlyName: 'In a service' } },
    {
      method: 'post',
      uri: `${base.conversations}/v1/Conversations/${CONVERSATION}/Participants`,
      data: { 'MessagingBinding.Address': '+15551234567', 'MessagingBinding.ProxyAddress': '+15005550006', Attributes: '{"role":"customer"}' },
    },
    { method: 'post', uri: `${base.conversations}/v1/Conversations/${CONVERSATION}/Participants`, data: { Identity: 'web-user' } },
    {
      method: 'post',
      uri: `${base.conversations}/v1/Conversations/${CONVERSATION}/Webhooks`,
      data: { Target: 'webhook', 'Configuration.Url': executionUrl, 'Configuration.Method': 'post', 'Configuration.Filters': ['onMessageAdded', 'onDeliveryUpdated'] },
    },
    { method: 'delete', uri: `${base.conversations}/v1/Conversations/${CONVERSATION}/Webhooks/${WEBHOOK}`, data: undefined },
    {
      method: 'post',
      uri: `${base.conversations}/v1/Conversations/${CONVERSATION}/Messages`,
      data: { Body: 'hello', Attributes: '{"studio_idempotency_key":"FNx/FTy"}' },
    },
    {
      method: 'post',
      uri: `${base.api}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
      data: { From: '+15005550006', To: '+15551234567', Body: 'hello', StatusCallback: executionUrl },
    },
    { method: 'post', uri: `${base.flex}/v1/Interactions`, data: { Channel: expect.any(String), Routing: expect.any(String) } },
  ];
}

/** Without the undefined entries the client leaves out of the form. */
function sent(requests: Recorded[]) {
  return requests.map(({ method, uri, data }) => ({
    method,
    uri,
    data: data === undefined ? undefined : Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined)),
  }));
}

describe('the activities reach the same Twilio paths with and without TWILIO_API_BASE_URL', () => {
  afterEach(() => jest.restoreAllMocks());

  it('with real credentials and no base URL: Twilio’s real hosts, Basic auth with the account credentials', async () => {
    const client = createTwilioClient(ACCOUNT_SID, AUTH_TOKEN, undefined);
    const requests: Recorded[] = [];
    // The client's own HTTP layer, replaced: nothing leaves the process.
    Object.defineProperty(client, 'httpClient', { value: { request: recordInto(requests) } });
    await callEveryActivity(client);

    expect(sent(requests)).toEqual(
      expectedRequests({ conversations: 'https://conversations.twilio.com', api: 'https://api.twilio.com', flex: 'https://flex-api.twilio.com' }),
    );
    for (const request of requests) {
      expect(request).toMatchObject({ username: ACCOUNT_SID, password: AUTH_TOKEN });
      if (request.method === 'post') expect(request.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    }
    const interaction = requests.at(-1)!.data!;
    expect(JSON.parse(interaction.Channel as string)).toEqual({ type: 'sms', initiated_by: 'customer', properties: { media_channel_sid: CONVERSATION } });
    expect(JSON.parse(interaction.Routing as string)).toEqual({
      properties: {
        workflow_sid: 'WW' + 'c'.repeat(32),
        task_channel_unique_name: 'chat',
        priority: 5,
        timeout: 600,
        attributes: { from: '+15551234567', customerAddress: '+15551234567', channelType: 'sms', name: 'Ann' },
      },
    });
  });

  it('with TWILIO_API_BASE_URL: the same requests, every host sent to the emulator', async () => {
    const client = createTwilioClient(ACCOUNT_SID, AUTH_TOKEN, EMULATOR);
    const requests: Recorded[] = [];
    // The base-URL client rewrites the host, then hands over to the stock RequestClient: record there.
    jest.spyOn(twilio.RequestClient.prototype, 'request').mockImplementation(recordInto(requests));
    await callEveryActivity(client);
    expect(sent(requests)).toEqual(expectedRequests({ conversations: EMULATOR, api: EMULATOR, flex: EMULATOR }));
  });
});
