// Twilio's JSON for every emulated resource: snake_case keys, Twilio's date formats (ISO-8601 without
// milliseconds for v1 APIs, RFC 2822 for 2010-04-01) and absolute URLs under the caller's host.
import type {
  AddressConfigurationRecord,
  ConversationMessageRecord,
  ConversationRecord,
  ConversationWebhookRecord,
  DeliveryReceiptRecord,
  DeviceMessageRecord,
  InteractionRecord,
  ParticipantRecord,
  PhoneNumberRecord,
  SmsMessageRecord,
} from './state';

/** What a serializer needs besides the record: the caller's base URL and the account. */
export interface ResourceContext {
  baseUrl: string;
  accountSid: string;
  defaultChatServiceSid: string;
}

/** `2015-12-16T22:18:37Z`, as the v1 APIs write dates. */
export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `Wed, 16 Dec 2015 22:18:37 +0000`, as API 2010-04-01 writes dates. */
export function rfc2822Date(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace(/GMT$/, '+0000');
}

function conversationUrl(context: ResourceContext, conversation: Pick<ConversationRecord, 'sid' | 'chatServiceSid'>): string {
  // Conversations of the default service live at the top level; others under their service, as Twilio's.
  const scope = conversation.chatServiceSid === context.defaultChatServiceSid ? '' : `/Services/${conversation.chatServiceSid}`;
  return `${context.baseUrl}/v1${scope}/Conversations/${conversation.sid}`;
}

export function serializeConversation(context: ResourceContext, conversation: ConversationRecord): Record<string, unknown> {
  const url = conversationUrl(context, conversation);
  const timers: Record<string, string> = {};
  if (conversation.dateInactive !== null) timers.date_inactive = isoDate(conversation.dateInactive);
  if (conversation.dateClosed !== null) timers.date_closed = isoDate(conversation.dateClosed);
  return {
    sid: conversation.sid,
    account_sid: context.accountSid,
    chat_service_sid: conversation.chatServiceSid,
    messaging_service_sid: conversation.messagingServiceSid,
    friendly_name: conversation.friendlyName,
    unique_name: conversation.uniqueName,
    attributes: conversation.attributes,
    date_created: isoDate(conversation.dateCreated),
    date_updated: isoDate(conversation.dateUpdated),
    state: conversation.state,
    timers,
    bindings: conversation.emailBinding ? { email: { address: conversation.emailBinding.address, name: conversation.emailBinding.name } } : {},
    url,
    links: { participants: `${url}/Participants`, messages: `${url}/Messages`, webhooks: `${url}/Webhooks` },
  };
}

export function serializeParticipant(context: ResourceContext, conversation: ConversationRecord, participant: ParticipantRecord): Record<string, unknown> {
  const binding = participant.messagingBinding;
  return {
    account_sid: context.accountSid,
    conversation_sid: participant.conversationSid,
    sid: participant.sid,
    identity: participant.identity,
    attributes: participant.attributes,
    messaging_binding: binding ? { type: binding.type, address: binding.address, proxy_address: binding.proxyAddress } : null,
    role_sid: participant.roleSid,
    date_created: isoDate(participant.dateCreated),
    date_updated: isoDate(participant.dateUpdated),
    url: `${conversationUrl(context, conversation)}/Participants/${participant.sid}`,
    last_read_message_index: participant.lastReadMessageIndex,
    last_read_timestamp: participant.lastReadTimestamp,
  };
}

/** Twilio's delivery summary: for each status, whether all, some or none of the receipts have it. */
function deliverySummary(receipts: DeliveryReceiptRecord[]): Record<string, unknown> | null {
  if (receipts.length === 0) return null;
  const share = (matches: (receipt: DeliveryReceiptRecord) => boolean) => {
    const count = receipts.filter(matches).length;
    return count === 0 ? 'none' : count === receipts.length ? 'all' : 'some';
  };
  const reachedSent = (receipt: DeliveryReceiptRecord) => receipt.status === 'sent' || receipt.status === 'delivered' || receipt.status === 'read';
  return {
    total: receipts.length,
    sent: share(reachedSent),
    delivered: share((receipt) => receipt.status === 'delivered' || receipt.status === 'read'),
    read: share((receipt) => receipt.status === 'read'),
    failed: share((receipt) => receipt.status === 'failed'),
    undelivered: share((receipt) => receipt.status === 'undelivered'),
  };
}

export function serializeMessage(context: ResourceContext, conversation: ConversationRecord, message: ConversationMessageRecord): Record<string, unknown> {
  const url = `${conversationUrl(context, conversation)}/Messages/${message.sid}`;
  return {
    sid: message.sid,
    account_sid: context.accountSid,
    conversation_sid: message.conversationSid,
    body: message.body,
    media: message.media
      ? message.media.map((media) => ({ sid: media.sid, size: media.size, content_type: media.contentType, filename: media.filename }))
      : null,
    author: message.author,
    participant_sid: message.participantSid,
    attributes: message.attributes,
    date_created: isoDate(message.dateCreated),
    date_updated: isoDate(message.dateUpdated),
    index: message.index,
    delivery: deliverySummary(message.receipts),
    content_sid: null,
    url,
    links: { delivery_receipts: `${url}/Receipts`, channel_metadata: `${url}/ChannelMetadata` },
  };
}

export function serializeReceipt(
  context: ResourceContext,
  conversation: ConversationRecord,
  message: ConversationMessageRecord,
  receipt: DeliveryReceiptRecord,
): Record<string, unknown> {
  return {
    sid: receipt.sid,
    account_sid: context.accountSid,
    conversation_sid: conversation.sid,
    message_sid: message.sid,
    channel_message_sid: receipt.channelMessageSid,
    participant_sid: receipt.participantSid,
    status: receipt.status,
    error_code: receipt.errorCode,
    date_created: isoDate(receipt.dateCreated),
    date_updated: isoDate(receipt.dateUpdated),
    url: `${conversationUrl(context, conversation)}/Messages/${message.sid}/Receipts/${receipt.sid}`,
  };
}

export function serializeWebhook(context: ResourceContext, conversation: ConversationRecord, webhook: ConversationWebhookRecord): Record<string, unknown> {
  let configuration: Record<string, unknown>;
  switch (webhook.target) {
    case 'studio':
      configuration = { flow_sid: webhook.flowSid };
      break;
    case 'trigger':
      // Twilio reads a trigger hook's keywords back under `filters`.
      configuration = { url: webhook.url, method: webhook.method, filters: webhook.triggers };
      break;
    case 'webhook':
      configuration = { url: webhook.url, method: webhook.method, filters: webhook.filters };
      break;
  }
  return {
    account_sid: context.accountSid,
    conversation_sid: webhook.conversationSid,
    sid: webhook.sid,
    target: webhook.target,
    configuration,
    date_created: isoDate(webhook.dateCreated),
    date_updated: isoDate(webhook.dateUpdated),
    url: `${conversationUrl(context, conversation)}/Webhooks/${webhook.sid}`,
  };
}

export function serializeAddressConfiguration(context: ResourceContext, configuration: AddressConfigurationRecord): Record<string, unknown> {
  const settings = configuration.autoCreation;
  const autoCreation: Record<string, unknown> = { enabled: settings.enabled, type: settings.type };
  if (settings.type !== 'default') autoCreation.conversation_service_sid = settings.conversationServiceSid ?? context.defaultChatServiceSid;
  if (settings.type === 'webhook') {
    autoCreation.webhook_url = settings.webhookUrl;
    autoCreation.webhook_method = (settings.webhookMethod ?? 'post').toUpperCase();
    autoCreation.webhook_filters = settings.webhookFilters;
  }
  if (settings.type === 'studio') {
    autoCreation.studio_flow_sid = settings.studioFlowSid;
    autoCreation.studio_retry_count = settings.studioRetryCount;
  }
  return {
    account_sid: context.accountSid,
    sid: configuration.sid,
    address: configuration.address,
    type: configuration.type,
    friendly_name: configuration.friendlyName,
    address_country: configuration.addressCountry,
    auto_creation: autoCreation,
    date_created: isoDate(configuration.dateCreated),
    date_updated: isoDate(configuration.dateUpdated),
    url: `${context.baseUrl}/v1/Configuration/Addresses/${configuration.sid}`,
  };
}

export function serializeSmsMessage(context: ResourceContext, message: SmsMessageRecord): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${context.accountSid}/Messages/${message.sid}`;
  return {
    account_sid: context.accountSid,
    api_version: '2010-04-01',
    body: message.body,
    date_created: rfc2822Date(message.dateCreated),
    date_sent: message.dateSent === null ? null : rfc2822Date(message.dateSent),
    date_updated: rfc2822Date(message.dateUpdated),
    direction: message.direction,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: String(message.mediaUrls.length),
    num_segments: String(Math.max(1, Math.ceil(message.body.length / 160))),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${uri}/Media.json` },
    to: message.to,
    uri: `${uri}.json`,
  };
}

export function serializePhoneNumber(context: ResourceContext, number: PhoneNumberRecord): Record<string, unknown> {
  return {
    account_sid: context.accountSid,
    address_requirements: 'none',
    address_sid: null,
    api_version: '2010-04-01',
    beta: false,
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    date_created: rfc2822Date(number.dateCreated),
    date_updated: rfc2822Date(number.dateUpdated),
    friendly_name: number.friendlyName,
    identity_sid: null,
    origin: 'twilio',
    phone_number: number.phoneNumber,
    sid: number.sid,
    sms_application_sid: null,
    sms_fallback_method: number.smsFallbackMethod,
    sms_fallback_url: number.smsFallbackUrl ?? '',
    sms_method: number.smsMethod,
    sms_url: number.smsUrl ?? '',
    status_callback: number.statusCallback ?? '',
    status_callback_method: 'POST',
    status: 'in-use',
    uri: `/2010-04-01/Accounts/${context.accountSid}/IncomingPhoneNumbers/${number.sid}.json`,
    voice_method: 'POST',
    voice_url: '',
  };
}

export function serializeInteraction(context: ResourceContext, interaction: InteractionRecord): Record<string, unknown> {
  const url = `${context.baseUrl}/v1/Interactions/${interaction.sid}`;
  return {
    sid: interaction.sid,
    channel: interaction.channel,
    routing: interaction.routing,
    interaction_context_sid: interaction.interactionContextSid,
    webhook_ttid: interaction.webhookTtid,
    url,
    links: { channels: `${url}/Channels` },
  };
}

/** The device API's view of a delivered message. */
export function serializeDeviceMessage(message: DeviceMessageRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {
    sid: message.sid,
    from: message.from,
    to: message.to,
    body: message.body,
    date_created: isoDate(message.dateCreated),
  };
  if (message.conversationSid) json.conversation_sid = message.conversationSid;
  if (message.mediaUrls.length > 0) json.media_urls = message.mediaUrls;
  return json;
}
