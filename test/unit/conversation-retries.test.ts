// A retried Conversations activity whose first attempt did its work but never reported back (the worker was
// killed, the activity timed out) must find that work instead of doing it twice (DESIGN.md decision 10). The
// crash test found a retried participant create refused as "already in the conversation", which failed Start
// Conversation; a retried create of a Conversation with a unique name meets the same refusal. Each activity
// runs here in Temporal's MockActivityEnvironment, against the emulator.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createConversationActivities } from '../../activities/conversations';
import { createTwilioClient, type TwilioClient } from '../../activities/twilio-client';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { createEmulator, type Emulator } from '../../emulator/app';

const flowWebhookUrl = (flowSid: string) => `http://127.0.0.1:9/v1/Accounts/${DEFAULT_ACCOUNT_SID}/Flows/${flowSid}`;
// The refusal a blind retry meets is expected here: keep the SDK's activity-failure log out of the output.
const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Runs activities in a mock activity Context whose attempt number is `attempt`, of an activity scheduled at `scheduledTimestampMs`. */
function attemptNumber(attempt: number, scheduledTimestampMs = Date.now()) {
  const environment = new MockActivityEnvironment({ attempt, scheduledTimestampMs }, { logger: quiet });
  // MockActivityEnvironment.run infers `unknown` for a generic activity: give the activity's own result type back.
  return { run: <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A): Promise<R> => environment.run(activity, ...args) as Promise<R> };
}
const first = attemptNumber(1);
const retry = attemptNumber(2);

describe('retried Conversations activities', () => {
  let emulator: Emulator;
  let server: http.Server;
  let client: TwilioClient;
  let activities: ReturnType<typeof createConversationActivities>;
  let conversationSid: string;

  beforeAll(async () => {
    emulator = createEmulator({ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, publicUrl: 'http://127.0.0.1:9' });
    server = http.createServer(emulator.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = createTwilioClient(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    activities = createConversationActivities({ client, flowWebhookUrl });
  });
  afterAll(async () => {
    await emulator.close();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(async () => {
    conversationSid = String((await first.run(activities.createConversation, { friendlyName: 'Retried' })).sid);
  });

  it('finds the Conversation with a unique name the first attempt created', async () => {
    const uniqueName = `survey-${Date.now()}`;
    const created = await first.run(activities.createConversation, { friendlyName: 'Named', uniqueName });
    await expect(first.run(activities.createConversation, { friendlyName: 'Named', uniqueName })).rejects.toMatchObject({ nonRetryable: true });

    const retried = await retry.run(activities.createConversation, { friendlyName: 'Named', uniqueName });
    expect(retried.sid).toBe(created.sid);
    // One scheduled well after that Conversation existed did not create it: it is refused as before.
    const later = attemptNumber(2, Date.now() + 10 * 60_000);
    await expect(later.run(activities.createConversation, { friendlyName: 'Named', uniqueName })).rejects.toMatchObject({ nonRetryable: true });
  });

  it.each([
    ['a messaging participant', { type: 'messaging' as const, address: '+15554440001', proxyAddress: '+15005550071' }],
    ['a chat participant', { type: 'chat' as const, identity: 'retried-user' }],
  ])('finds %s the first attempt added', async (_what, participant) => {
    const added = await first.run(activities.createConversationParticipant, { conversationSid, participant });
    // Without the look-up, adding it again is refused: that is what a blind retry would meet.
    await expect(first.run(activities.createConversationParticipant, { conversationSid, participant })).rejects.toMatchObject({ nonRetryable: true });

    const retried = await retry.run(activities.createConversationParticipant, { conversationSid, participant });
    expect(retried.sid).toBe(added.sid);
    expect(await client.conversations.v1.conversations(conversationSid).participants.list()).toHaveLength(1);
  });

  it('adds the participant on a retry when the first attempt did not', async () => {
    const participant = { type: 'messaging' as const, address: '+15554440002', proxyAddress: '+15005550071' };
    const added = await retry.run(activities.createConversationParticipant, { conversationSid, participant });
    expect(added.messaging_binding).toMatchObject({ address: participant.address, proxy_address: participant.proxyAddress });
  });

  it('finds the webhook the first attempt registered, and only its own', async () => {
    const flowSid = 'FW' + 'c'.repeat(32);
    const registered = await first.run(activities.createConversationWebhook, { conversationSid, flowSid, executionSid: 'FN' + '1'.repeat(32) });
    const retried = await retry.run(activities.createConversationWebhook, { conversationSid, flowSid, executionSid: 'FN' + '1'.repeat(32) });
    expect(retried).toBe(registered);
    const another = await retry.run(activities.createConversationWebhook, { conversationSid, flowSid, executionSid: 'FN' + '2'.repeat(32) });
    expect(another).not.toBe(registered);
    expect(await client.conversations.v1.conversations(conversationSid).webhooks.list()).toHaveLength(2);
  });

  it('finds the message the first attempt sent', async () => {
    const send = { conversationSid, body: 'How was it?', idempotencyKey: 'FNx/FT1' };
    const sent = await first.run(activities.sendConversationMessage, send);
    const retried = await retry.run(activities.sendConversationMessage, send);
    expect(retried.Sid).toBe(sent.Sid);
    const next = await retry.run(activities.sendConversationMessage, { ...send, idempotencyKey: 'FNx/FT2' });
    expect(next.Sid).not.toBe(sent.Sid);
    expect(await client.conversations.v1.conversations(conversationSid).messages.list()).toHaveLength(2);
  });
});
