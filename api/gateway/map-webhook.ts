// The gateway's pure mapping: what a webhook that reached a flow's URL means. No I/O here, so every
// kind of Twilio webhook is unit-tested as data.
import { idempotencyKeyOf } from '../../common/idempotency';
import { FAILED_DELIVERY_STATUSES, type DeliveryUpdate, type InboundMessage } from '../../workflows/engine/types';

export type WebhookMeaning =
  /** A status callback or onDeliveryUpdated saying that a message an execution sent failed (FAILED_DELIVERY_STATUSES). */
  | { kind: 'delivery'; executionSid: string | null; update: DeliveryUpdate }
  /** A Conversations onMessageAdded: a message in a Conversation. */
  | { kind: 'conversation-message'; executionSid: string | null; conversationSid: string; message: InboundMessage }
  /** A Programmable Messaging inbound message (SMS, WhatsApp) to the flow's number. */
  | { kind: 'messaging-message'; from: string; to: string; message: InboundMessage }
  /** Anything else (another Conversations event, a malformed body): acknowledged, ignored. */
  | { kind: 'ignored'; why: string };

const EXECUTION_SID = /^FN[0-9a-f]{32}$/;

/** The fields a webhook is routed by: each ends up in the execution index (a key, an indexed column). */
const ROUTING_FIELDS = ['MessageSid', 'SmsSid', 'SmsMessageSid', 'ConversationSid', 'From', 'To', 'Author'] as const;
/** Real SIDs and addresses are far shorter; an index row holds at most ~2.7 kB, and PostgreSQL text no NUL. */
const MAX_ROUTING_FIELD_BYTES = 256;

function malformedRoutingField(params: Record<string, string>): string | undefined {
  return ROUTING_FIELDS.find((name) => params[name] !== undefined && (params[name].includes('\u0000') || Buffer.byteLength(params[name]) > MAX_ROUTING_FIELD_BYTES));
}

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

/** A delivery report is for the execution only when it reports a failure: no other status changes an execution. */
function deliveryReport(executionSid: string | null, update: DeliveryUpdate): WebhookMeaning {
  if (!FAILED_DELIVERY_STATUSES.has(update.status)) return { kind: 'ignored', why: `delivery status ${update.status} of ${update.messageSid} is not a failure` };
  return { kind: 'delivery', executionSid, update };
}

/** @param query the webhook URL's query (our own webhooks carry `ExecutionSid`) */
export function mapWebhook(body: unknown, query: Record<string, unknown>): WebhookMeaning {
  const params = stringParams(body);
  const executionSidParam = typeof query.ExecutionSid === 'string' ? query.ExecutionSid : null;
  const executionSid = executionSidParam && EXECUTION_SID.test(executionSidParam) ? executionSidParam : null;
  const malformed = malformedRoutingField(params);
  if (malformed) return { kind: 'ignored', why: `${malformed} is not a SID or an address (over ${MAX_ROUTING_FIELD_BYTES} bytes, or a NUL in it)` };

  if (params.EventType === 'onDeliveryUpdated') {
    if (!params.MessageSid || !params.Status) return { kind: 'ignored', why: 'onDeliveryUpdated without MessageSid or Status' };
    return deliveryReport(executionSid, { messageSid: params.MessageSid, status: params.Status, errorCode: params.ErrorCode || undefined });
  }
  if (params.EventType === 'onMessageAdded') {
    if (!params.ConversationSid || !params.MessageSid) return { kind: 'ignored', why: 'onMessageAdded without ConversationSid or MessageSid' };
    // Twilio fires no webhook for a message created through the REST API unless asked to; should one come
    // back anyway, a message an execution sent is never taken as the contact's.
    if (idempotencyKeyOf(params.Attributes)) return { kind: 'ignored', why: `message ${params.MessageSid} was sent by an execution` };
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
    return deliveryReport(executionSid, { messageSid, status: params.MessageStatus, errorCode: params.ErrorCode || undefined });
  }
  const messageSid = params.MessageSid ?? params.SmsMessageSid ?? params.SmsSid;
  if (messageSid && params.From && params.To) {
    return { kind: 'messaging-message', from: params.From, to: params.To, message: { source: 'messaging', messageSid, params } };
  }
  return { kind: 'ignored', why: 'not a Messaging or Conversations webhook' };
}
