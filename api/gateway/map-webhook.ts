// The gateway's pure mapping: what a webhook that reached a flow's URL means. No I/O here, so every
// kind of Twilio webhook is unit-tested as data.
import type { DeliveryUpdate, InboundMessage } from '../../workflows/engine/types';

export type WebhookMeaning =
  /** A status callback or onDeliveryUpdated for a message an execution sent. */
  | { kind: 'delivery'; executionSid: string | null; update: DeliveryUpdate }
  /** A Conversations onMessageAdded: a message in a Conversation. */
  | { kind: 'conversation-message'; executionSid: string | null; conversationSid: string; message: InboundMessage }
  /** A Programmable Messaging inbound message (SMS, WhatsApp) to the flow's number. */
  | { kind: 'messaging-message'; from: string; to: string; message: InboundMessage }
  /** Anything else (another Conversations event, a malformed body): acknowledged, ignored. */
  | { kind: 'ignored'; why: string };

const EXECUTION_SID = /^FN[0-9a-f]{32}$/;

function stringParams(body: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return params;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') params[key] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') params[key] = value[0];
    else if (typeof value === 'number' || typeof value === 'boolean') params[key] = String(value);
  }
  return params;
}

/** @param query the webhook URL's query (our own webhooks carry `ExecutionSid`) */
export function mapWebhook(body: unknown, query: Record<string, unknown>): WebhookMeaning {
  const params = stringParams(body);
  const executionSidParam = typeof query.ExecutionSid === 'string' ? query.ExecutionSid : null;
  const executionSid = executionSidParam && EXECUTION_SID.test(executionSidParam) ? executionSidParam : null;

  if (params.EventType === 'onDeliveryUpdated') {
    if (!params.MessageSid || !params.Status) return { kind: 'ignored', why: 'onDeliveryUpdated without MessageSid or Status' };
    return { kind: 'delivery', executionSid, update: { messageSid: params.MessageSid, status: params.Status, errorCode: params.ErrorCode || undefined } };
  }
  if (params.EventType === 'onMessageAdded') {
    if (!params.ConversationSid || !params.MessageSid) return { kind: 'ignored', why: 'onMessageAdded without ConversationSid or MessageSid' };
    return {
      kind: 'conversation-message',
      executionSid,
      conversationSid: params.ConversationSid,
      message: { source: 'conversation', messageSid: params.MessageSid, params: { ...params, From: params.From ?? params.Author ?? '' } },
    };
  }
  if (params.EventType) return { kind: 'ignored', why: `Conversations event ${params.EventType} is not handled by flows` };
  if (params.MessageStatus) {
    const messageSid = params.MessageSid ?? params.SmsSid;
    if (!messageSid) return { kind: 'ignored', why: 'status callback without MessageSid' };
    return { kind: 'delivery', executionSid, update: { messageSid, status: params.MessageStatus, errorCode: params.ErrorCode || undefined } };
  }
  const messageSid = params.MessageSid ?? params.SmsMessageSid ?? params.SmsSid;
  if (messageSid && params.From && params.To) {
    return { kind: 'messaging-message', from: params.From, to: params.To, message: { source: 'messaging', messageSid, params } };
  }
  return { kind: 'ignored', why: 'not a Messaging or Conversations webhook' };
}
