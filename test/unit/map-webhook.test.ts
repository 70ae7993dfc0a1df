// The gateway's pure mapping, case by case: every kind of webhook that reaches a flow's URL.
import { mapWebhook } from '../../api/gateway/map-webhook';

const EXECUTION = 'FN' + 'a'.repeat(32);

describe('mapWebhook', () => {
  it('maps a Conversations onMessageAdded to a conversation message, routed by our ExecutionSid when present', () => {
    const body = {
      AccountSid: 'AC1',
      EventType: 'onMessageAdded',
      ConversationSid: 'CH1',
      MessageSid: 'IM1',
      Body: 'yes',
      Author: '+15551234567',
      Index: '1',
      Source: 'SMS',
    };
    expect(mapWebhook(body, { ExecutionSid: EXECUTION })).toEqual({
      kind: 'conversation-message',
      executionSid: EXECUTION,
      conversationSid: 'CH1',
      message: { source: 'conversation', messageSid: 'IM1', params: { ...body, From: '+15551234567' } },
    });
    expect(mapWebhook(body, {})).toMatchObject({ kind: 'conversation-message', executionSid: null });
  });

  it('ignores an onMessageAdded of a message an execution sent (its attributes carry the idempotency key)', () => {
    const echo = { EventType: 'onMessageAdded', ConversationSid: 'CH1', MessageSid: 'IM2', Author: 'system', Body: 'Question?' };
    expect(mapWebhook({ ...echo, Attributes: '{"studio_idempotency_key":"FN1/FT1"}' }, {})).toEqual({ kind: 'ignored', why: 'message IM2 was sent by an execution' });
    // Other attributes, or attributes that are not JSON, leave a message inbound.
    expect(mapWebhook({ ...echo, Attributes: '{"source":"agent"}' }, {})).toMatchObject({ kind: 'conversation-message' });
    expect(mapWebhook({ ...echo, Attributes: 'studio_idempotency_key' }, {})).toMatchObject({ kind: 'conversation-message' });
  });

  it('ignores an ExecutionSid that is not an execution SID', () => {
    expect(mapWebhook({ EventType: 'onMessageAdded', ConversationSid: 'CH1', MessageSid: 'IM1' }, { ExecutionSid: 'FN../../x' })).toMatchObject({ executionSid: null });
  });

  it('maps a Programmable Messaging inbound message (SMS) by its From/To pair', () => {
    const body = { MessageSid: 'SM1', SmsSid: 'SM1', From: '+15551234567', To: '+15550000000', Body: 'hi', NumMedia: '0' };
    expect(mapWebhook(body, {})).toEqual({ kind: 'messaging-message', from: '+15551234567', to: '+15550000000', message: { source: 'messaging', messageSid: 'SM1', params: body } });
  });

  it('maps a status callback and onDeliveryUpdated to delivery updates', () => {
    expect(mapWebhook({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003', To: '+1', From: '+2' }, { ExecutionSid: EXECUTION })).toEqual({
      kind: 'delivery',
      executionSid: EXECUTION,
      update: { messageSid: 'SM1', status: 'undelivered', errorCode: '30003' },
    });
    expect(mapWebhook({ EventType: 'onDeliveryUpdated', MessageSid: 'IM1', Status: 'failed', ConversationSid: 'CH1' }, { ExecutionSid: EXECUTION })).toEqual({
      kind: 'delivery',
      executionSid: EXECUTION,
      update: { messageSid: 'IM1', status: 'failed', errorCode: undefined },
    });
  });

  it.each(['queued', 'sent', 'delivered', 'read'])('acknowledges a %s delivery report without passing it on: only failures change an execution', (status) => {
    expect(mapWebhook({ MessageSid: 'SM1', MessageStatus: status, To: '+1', From: '+2' }, { ExecutionSid: EXECUTION })).toEqual({
      kind: 'ignored',
      why: `delivery status ${status} of SM1 is not a failure`,
    });
    expect(mapWebhook({ EventType: 'onDeliveryUpdated', MessageSid: 'IM1', Status: status, ConversationSid: 'CH1' }, { ExecutionSid: EXECUTION })).toMatchObject({ kind: 'ignored' });
  });

  it.each([
    ['no body', undefined],
    ['an empty body', {}],
    ['another Conversations event', { EventType: 'onConversationAdded', ConversationSid: 'CH1' }],
    ['onMessageAdded without a MessageSid', { EventType: 'onMessageAdded', ConversationSid: 'CH1' }],
    ['a message without From', { MessageSid: 'SM1', To: '+1' }],
    ['odd values', { MessageSid: { nested: true }, From: ['+1'], To: 5 }],
  ])('ignores %s', (_name, body) => {
    expect(mapWebhook(body, {})).toMatchObject({ kind: 'ignored' });
  });
});
