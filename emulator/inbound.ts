// A device sends a message: route it as Twilio routes it.
//  1. An active Conversation binds the pair (From = address, To = proxy address): appended there.
//  2. To names a Conversation (SID or UniqueName) and From is a chat identity in it: a chat message.
//  3. An Address Configuration for To has auto-creation on: a new Conversation with From as participant,
//     plus a studio or webhook hook as configured.
//  4. The IncomingPhoneNumber To has an SmsUrl: a Programmable Messaging inbound webhook, whose TwiML
//     `<Message>` replies go back to the device.
//  5. Otherwise nothing takes it: a Twilio-shaped 404.
// The caller is answered at once; webhooks follow asynchronously, in order per Conversation or device.
import { newSid } from '../common/sid';
import { findAutoCreatingConfiguration } from './address-configuration';
import type { EmulatorContext } from './context';
import { channelOf } from './conversation-model';
import type { MessageSource } from './conversation-events';
import { findPhoneNumber } from './messaging';
import type { AddressConfigurationRecord, ConversationRecord, MediaRecord, ParticipantRecord, PhoneNumberRecord, SmsMessageRecord } from './state';
import { badRequest, TwilioApiError, TwilioErrorCode } from './twilio-errors';
import { parseTwimlMessages } from './twiml';
import type { WebhookParams } from './webhooks';

export interface InboundMessage {
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
}

export interface InboundResult {
  conversation_sid?: string;
  message_sid: string;
}

function mediaFromUrls(urls: string[]): MediaRecord[] {
  return urls.map((url) => ({ sid: newSid('ME'), contentType: guessContentType(url), filename: url.split('/').pop() ?? null, size: 0, url }));
}

function guessContentType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:\?|$)/i.exec(url)?.[1]?.toLowerCase();
  const types: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', pdf: 'application/pdf', mp4: 'video/mp4' };
  return (extension && types[extension]) ?? 'application/octet-stream';
}

/** Twilio's best guess at a number's country (only the prefixes the emulator is likely to meet). */
function countryOf(address: string): string {
  const number = address.replace(/^whatsapp:/i, '');
  const prefixes: Array<[string, string]> = [['+1', 'US'], ['+44', 'GB'], ['+49', 'DE'], ['+33', 'FR'], ['+34', 'ES'], ['+61', 'AU'], ['+91', 'IN'], ['+55', 'BR'], ['+52', 'MX']];
  return prefixes.find(([prefix]) => number.startsWith(prefix))?.[1] ?? '';
}

export function routeInbound(context: EmulatorContext, inbound: InboundMessage): InboundResult {
  const { model } = context;
  const bound = model.findBoundParticipant(inbound.from, inbound.to);
  if (bound) return addDeviceMessage(context, bound.conversation, bound.participant, inbound);

  const chatConversation = model.find(inbound.to);
  if (chatConversation) return addChatMessage(context, chatConversation, inbound);

  const configuration = findAutoCreatingConfiguration(context.store.state, inbound.to);
  if (configuration) return autoCreate(context, configuration, inbound);

  const number = findPhoneNumber(context.store.state.phoneNumbers, inbound.to);
  if (number?.smsUrl) return sendToSmsUrl(context, number, inbound);

  throw new TwilioApiError(
    404,
    TwilioErrorCode.notFound,
    `Nothing receives messages sent to ${inbound.to}: no active Conversation binds (${inbound.from}, ${inbound.to}), no Address Configuration with auto-creation and no IncomingPhoneNumber with an SmsUrl`,
  );
}

function addChatMessage(context: EmulatorContext, conversation: ConversationRecord, inbound: InboundMessage): InboundResult {
  context.model.assertNotClosed(conversation);
  const participant = context.model.findParticipantByIdentity(conversation, inbound.from);
  if (!participant) {
    throw badRequest(`${inbound.from} is not a participant of conversation ${conversation.sid}`, TwilioErrorCode.participantNotMember);
  }
  return publish(context, conversation, participant, inbound, 'SDK');
}

function addDeviceMessage(context: EmulatorContext, conversation: ConversationRecord, participant: ParticipantRecord, inbound: InboundMessage): InboundResult {
  return publish(context, conversation, participant, inbound, channelOf(inbound.from) === 'whatsapp' ? 'WHATSAPP' : 'SMS');
}

function publish(context: EmulatorContext, conversation: ConversationRecord, participant: ParticipantRecord, inbound: InboundMessage, source: MessageSource): InboundResult {
  const message = context.model.addMessage(conversation, {
    author: inbound.from,
    body: inbound.body,
    media: mediaFromUrls(inbound.mediaUrls),
    participantSid: participant.sid,
  });
  context.events.messageAdded(conversation, message, source, source === 'SDK' ? inbound.from : undefined);
  context.delivery.deliverConversationMessage(conversation, message);
  return { conversation_sid: conversation.sid, message_sid: message.sid };
}

function autoCreate(context: EmulatorContext, configuration: AddressConfigurationRecord, inbound: InboundMessage): InboundResult {
  const { model } = context;
  const settings = configuration.autoCreation;
  const conversation = model.create({ chatServiceSid: settings.conversationServiceSid ?? undefined });
  const participant = model.addParticipant(conversation, { address: inbound.from, proxyAddress: inbound.to });
  if (settings.type === 'studio' && settings.studioFlowSid) {
    model.addWebhook(conversation, { target: 'studio', flowSid: settings.studioFlowSid, retryCount: settings.studioRetryCount ?? 1 });
  }
  if (settings.type === 'webhook' && settings.webhookUrl) {
    model.addWebhook(conversation, {
      target: 'webhook',
      url: settings.webhookUrl,
      method: settings.webhookMethod ?? 'post',
      // A webhook auto-creation without filters would never be called; onMessageAdded is what it is for.
      filters: settings.webhookFilters.length > 0 ? settings.webhookFilters : ['onMessageAdded'],
    });
  }
  return addDeviceMessage(context, conversation, participant, inbound);
}

function sendToSmsUrl(context: EmulatorContext, number: PhoneNumberRecord, inbound: InboundMessage): InboundResult {
  const { store } = context;
  const now = store.now();
  const message: SmsMessageRecord = {
    sid: newSid('SM'),
    from: inbound.from,
    to: inbound.to,
    body: inbound.body,
    direction: 'inbound',
    status: 'received',
    messagingServiceSid: null,
    statusCallback: null,
    mediaUrls: inbound.mediaUrls,
    errorCode: null,
    errorMessage: null,
    dateCreated: now,
    dateUpdated: now,
    dateSent: now,
  };
  store.state.smsMessages[message.sid] = message;
  store.changed();

  const params: WebhookParams = {
    AccountSid: context.accountSid,
    ApiVersion: '2010-04-01',
    Body: inbound.body,
    From: inbound.from,
    To: inbound.to,
    MessageSid: message.sid,
    SmsSid: message.sid,
    SmsMessageSid: message.sid,
    SmsStatus: 'received',
    NumMedia: String(inbound.mediaUrls.length),
    NumSegments: String(Math.max(1, Math.ceil(inbound.body.length / 160))),
    FromCity: '',
    FromState: '',
    FromZip: '',
    FromCountry: countryOf(inbound.from),
    ToCity: '',
    ToState: '',
    ToZip: '',
    ToCountry: countryOf(inbound.to),
  };
  inbound.mediaUrls.forEach((url, index) => {
    params[`MediaUrl${index}`] = url;
    params[`MediaContentType${index}`] = guessContentType(url);
  });
  if (channelOf(inbound.from) === 'whatsapp') {
    const digits = inbound.from.replace(/\D/g, '');
    params.WaId = digits;
    params.ProfileName = digits;
  }

  context.queue.enqueue(`device:${inbound.from}`, async () => {
    let outcome = await context.sender.send({ url: number.smsUrl ?? '', method: number.smsMethod, params, description: `incoming message ${message.sid}` });
    if (!outcome.ok && number.smsFallbackUrl) {
      outcome = await context.sender.send({ url: number.smsFallbackUrl, method: number.smsFallbackMethod, params, description: `incoming message ${message.sid} (fallback)` });
    }
    if (outcome.ok) replyWithTwiml(context, outcome.body, inbound);
  });
  return { message_sid: message.sid };
}

/** `<Message>` verbs in the SmsUrl's answer go back to the device, from the number it wrote to. */
function replyWithTwiml(context: EmulatorContext, twiml: string, inbound: InboundMessage): void {
  const { store } = context;
  for (const reply of parseTwimlMessages(twiml)) {
    const now = store.now();
    const message: SmsMessageRecord = {
      sid: newSid('SM'),
      from: reply.from ?? inbound.to,
      to: reply.to ?? inbound.from,
      body: reply.body,
      direction: 'outbound-reply',
      status: 'queued',
      messagingServiceSid: null,
      statusCallback: reply.statusCallback ?? null,
      mediaUrls: reply.mediaUrls,
      errorCode: null,
      errorMessage: null,
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
    };
    store.state.smsMessages[message.sid] = message;
    store.changed();
    context.delivery.sendSms(message);
  }
}
