// Conversations v1 REST: Conversations, Participants, conversation-scoped Webhooks, Messages and their
// delivery Receipts. Mounted at /v1 and, for service-scoped calls, at /v1/Services/{ChatServiceSid}.
// REST actions fire no webhooks unless the request carries `X-Twilio-Webhook-Enabled: true` (echo rule).
import express from 'express';
import type { Request, Router } from 'express';
import { isSid } from '../common/sid';
import type { EmulatorContext } from './context';
import { resourceContext } from './context';
import type { ConversationInput, WebhookInput } from './conversation-model';
import { metaPage } from './paging';
import {
  attributesParam,
  bodyParams,
  enumParam,
  integerParam,
  listParam,
  optionalParam,
  pathParam,
  queryParams,
  stringParam,
  webhooksRequested,
} from './request-params';
import type { Params } from './request-params';
import { serializeConversation, serializeMessage, serializeParticipant, serializeReceipt, serializeWebhook } from './serializers';
import type { ConversationRecord, MediaRecord } from './state';
import { parseClosedTimer, parseInactiveTimer } from './timers';
import { badRequest, notFound } from './twilio-errors';

function sidParam(params: Params, name: string, prefix: string): string | undefined {
  const value = optionalParam(params, name);
  if (value !== undefined && !isSid(value, prefix)) throw badRequest(`${name} must be a ${prefix} SID, got "${value}"`);
  return value;
}

function conversationInput(params: Params): ConversationInput {
  return {
    friendlyName: stringParam(params, 'FriendlyName'),
    uniqueName: stringParam(params, 'UniqueName'),
    attributes: attributesParam(params),
    messagingServiceSid: sidParam(params, 'MessagingServiceSid', 'MG'),
    state: enumParam(params, 'State', ['active', 'inactive', 'closed'] as const),
    inactiveTimerMs: parseInactiveTimer(optionalParam(params, 'Timers.Inactive')),
    closedTimerMs: parseClosedTimer(optionalParam(params, 'Timers.Closed')),
    emailBindingAddress: optionalParam(params, 'Bindings.Email.Address'),
    emailBindingName: optionalParam(params, 'Bindings.Email.Name'),
  };
}

function webhookInput(params: Params): WebhookInput {
  const filters = listParam(params, 'Configuration.Filters');
  const triggers = listParam(params, 'Configuration.Triggers');
  return {
    target: enumParam(params, 'Target', ['webhook', 'trigger', 'studio'] as const),
    url: optionalParam(params, 'Configuration.Url'),
    method: enumParam(params, 'Configuration.Method', ['get', 'post'] as const),
    filters: filters.length > 0 ? filters : undefined,
    triggers: triggers.length > 0 ? triggers : undefined,
    flowSid: optionalParam(params, 'Configuration.FlowSid'),
    replayAfter: integerParam(params, 'Configuration.ReplayAfter'),
  };
}

/** Addresses a conversation concerns, so a fault with an Address can target one contact's conversation. */
function addressesOf(context: EmulatorContext, conversation: ConversationRecord): string[] {
  return context.model.participants(conversation).flatMap((participant) => {
    const addresses: string[] = [];
    if (participant.messagingBinding) addresses.push(participant.messagingBinding.address, participant.messagingBinding.proxyAddress);
    if (participant.identity) addresses.push(participant.identity);
    return addresses;
  });
}

function dayOrDate(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw badRequest(`${name} must be a date (YYYY-MM-DD or ISO 8601), got "${value}"`);
  return parsed;
}

export function conversationsRouter(context: EmulatorContext): Router {
  const router = express.Router({ mergeParams: true });
  const { model, events, delivery, faults } = context;

  /** The Conversation Service a service-scoped route names; undefined at the top level. */
  const serviceOf = (req: Request): string | undefined => pathParam(req, 'chatServiceSid') || undefined;
  const conversationOf = (req: Request): ConversationRecord => model.get(pathParam(req, 'conversationSid') || pathParam(req, 'sid'), serviceOf(req));

  // ---- Conversations -------------------------------------------------------------------------------

  router.post('/Conversations', (req, res) => {
    const input = conversationInput(bodyParams(req));
    faults.failIfFaulted('createConversation');
    const conversation = model.create({ ...input, chatServiceSid: serviceOf(req) });
    res.status(201).json(serializeConversation(resourceContext(context, req), conversation));
  });

  router.get('/Conversations', (req, res) => {
    const query = queryParams(req);
    const state = enumParam(query, 'State', ['active', 'inactive', 'closed'] as const);
    const start = dayOrDate(optionalParam(query, 'StartDate'), 'StartDate');
    const end = dayOrDate(optionalParam(query, 'EndDate'), 'EndDate');
    const conversations = model
      .list(serviceOf(req))
      .filter((conversation) => state === undefined || conversation.state === state)
      .filter((conversation) => start === undefined || conversation.dateCreated >= start)
      .filter((conversation) => end === undefined || conversation.dateCreated < end + 86_400_000);
    const resources = resourceContext(context, req);
    res.json(metaPage(req, 'conversations', conversations, (conversation) => serializeConversation(resources, conversation)));
  });

  router.get('/Conversations/:sid', (req, res) => {
    res.json(serializeConversation(resourceContext(context, req), conversationOf(req)));
  });

  router.post('/Conversations/:sid', (req, res) => {
    const conversation = conversationOf(req);
    const stateBefore = conversation.state;
    model.update(conversation, conversationInput(bodyParams(req)));
    if (webhooksRequested(req)) {
      events.conversationUpdated(conversation);
      if (conversation.state !== stateBefore) {
        events.stateUpdated({ conversation, from: stateBefore, to: conversation.state, reason: 'API' }, conversation.dateUpdated);
      }
    }
    res.json(serializeConversation(resourceContext(context, req), conversation));
  });

  router.delete('/Conversations/:sid', (req, res) => {
    const conversation = conversationOf(req);
    if (webhooksRequested(req)) events.conversationRemoved(conversation);
    model.remove(conversation);
    res.status(204).end();
  });

  // ---- Participants --------------------------------------------------------------------------------

  router.post('/Conversations/:conversationSid/Participants', (req, res) => {
    const conversation = conversationOf(req);
    const params = bodyParams(req);
    const input = {
      identity: optionalParam(params, 'Identity'),
      address: optionalParam(params, 'MessagingBinding.Address'),
      proxyAddress: optionalParam(params, 'MessagingBinding.ProxyAddress'),
      projectedAddress: optionalParam(params, 'MessagingBinding.ProjectedAddress'),
      attributes: attributesParam(params),
      roleSid: sidParam(params, 'RoleSid', 'RL'),
    };
    faults.failIfFaulted('createParticipant', [input.address ?? input.identity ?? ''].filter(Boolean));
    const participant = model.addParticipant(conversation, input);
    if (webhooksRequested(req)) events.participantAdded(conversation, participant);
    res.status(201).json(serializeParticipant(resourceContext(context, req), conversation, participant));
  });

  router.get('/Conversations/:conversationSid/Participants', (req, res) => {
    const conversation = conversationOf(req);
    const resources = resourceContext(context, req);
    res.json(metaPage(req, 'participants', model.participants(conversation), (participant) => serializeParticipant(resources, conversation, participant)));
  });

  router.get('/Conversations/:conversationSid/Participants/:participantSid', (req, res) => {
    const conversation = conversationOf(req);
    const participant = model.getParticipant(conversation, req.params.participantSid);
    res.json(serializeParticipant(resourceContext(context, req), conversation, participant));
  });

  router.post('/Conversations/:conversationSid/Participants/:participantSid', (req, res) => {
    const conversation = conversationOf(req);
    const participant = model.getParticipant(conversation, req.params.participantSid);
    const params = bodyParams(req);
    const lastRead = optionalParam(params, 'LastReadMessageIndex');
    model.updateParticipant(participant, {
      attributes: attributesParam(params),
      roleSid: sidParam(params, 'RoleSid', 'RL'),
      proxyAddress: optionalParam(params, 'MessagingBinding.ProxyAddress'),
      lastReadMessageIndex: lastRead === undefined ? undefined : lastRead === 'null' ? null : integerParam(params, 'LastReadMessageIndex'),
      lastReadTimestamp: optionalParam(params, 'LastReadTimestamp'),
    });
    res.json(serializeParticipant(resourceContext(context, req), conversation, participant));
  });

  router.delete('/Conversations/:conversationSid/Participants/:participantSid', (req, res) => {
    const conversation = conversationOf(req);
    const participant = model.getParticipant(conversation, req.params.participantSid);
    if (webhooksRequested(req)) events.participantRemoved(conversation, participant);
    model.removeParticipant(participant);
    res.status(204).end();
  });

  // ---- Conversation-scoped webhooks ------------------------------------------------------------------

  router.post('/Conversations/:conversationSid/Webhooks', (req, res) => {
    const conversation = conversationOf(req);
    const input = webhookInput(bodyParams(req));
    faults.failIfFaulted('createWebhook', addressesOf(context, conversation));
    const webhook = model.addWebhook(conversation, input);
    events.replay(conversation, webhook);
    res.status(201).json(serializeWebhook(resourceContext(context, req), conversation, webhook));
  });

  router.get('/Conversations/:conversationSid/Webhooks', (req, res) => {
    const conversation = conversationOf(req);
    const resources = resourceContext(context, req);
    res.json(metaPage(req, 'webhooks', model.webhooks(conversation), (webhook) => serializeWebhook(resources, conversation, webhook)));
  });

  router.get('/Conversations/:conversationSid/Webhooks/:webhookSid', (req, res) => {
    const conversation = conversationOf(req);
    res.json(serializeWebhook(resourceContext(context, req), conversation, model.getWebhook(conversation, req.params.webhookSid)));
  });

  router.post('/Conversations/:conversationSid/Webhooks/:webhookSid', (req, res) => {
    const conversation = conversationOf(req);
    const webhook = model.updateWebhook(model.getWebhook(conversation, req.params.webhookSid), webhookInput(bodyParams(req)));
    res.json(serializeWebhook(resourceContext(context, req), conversation, webhook));
  });

  router.delete('/Conversations/:conversationSid/Webhooks/:webhookSid', (req, res) => {
    const conversation = conversationOf(req);
    const webhook = model.getWebhook(conversation, req.params.webhookSid);
    faults.failIfFaulted('deleteWebhook', addressesOf(context, conversation));
    model.removeWebhook(webhook);
    res.status(204).end();
  });

  // ---- Messages ------------------------------------------------------------------------------------

  router.post('/Conversations/:conversationSid/Messages', (req, res) => {
    const conversation = conversationOf(req);
    const params = bodyParams(req);
    const author = optionalParam(params, 'Author') ?? 'system';
    const mediaSid = sidParam(params, 'MediaSid', 'ME');
    const media: MediaRecord[] | null = mediaSid ? [{ sid: mediaSid, contentType: 'application/octet-stream', filename: null, size: 0, url: null }] : null;
    const attributes = attributesParam(params);
    model.assertNotClosed(conversation);
    faults.failIfFaulted('sendMessage', addressesOf(context, conversation));
    const authorParticipant = model.findParticipantByAuthor(conversation, author);
    const message = model.addMessage(conversation, {
      author,
      body: stringParam(params, 'Body') ?? null,
      attributes,
      media,
      participantSid: authorParticipant?.sid ?? null,
    });
    if (webhooksRequested(req)) events.messageAdded(conversation, message, 'API');
    delivery.deliverConversationMessage(conversation, message);
    res.status(201).json(serializeMessage(resourceContext(context, req), conversation, message));
  });

  router.get('/Conversations/:conversationSid/Messages', (req, res) => {
    const conversation = conversationOf(req);
    const order = enumParam(queryParams(req), 'Order', ['asc', 'desc'] as const) ?? 'asc';
    const messages = model.messages(conversation);
    if (order === 'desc') messages.reverse();
    const resources = resourceContext(context, req);
    res.json(metaPage(req, 'messages', messages, (message) => serializeMessage(resources, conversation, message)));
  });

  router.get('/Conversations/:conversationSid/Messages/:messageSid', (req, res) => {
    const conversation = conversationOf(req);
    res.json(serializeMessage(resourceContext(context, req), conversation, model.getMessage(conversation, req.params.messageSid)));
  });

  router.post('/Conversations/:conversationSid/Messages/:messageSid', (req, res) => {
    const conversation = conversationOf(req);
    const params = bodyParams(req);
    const message = model.updateMessage(model.getMessage(conversation, req.params.messageSid), {
      author: optionalParam(params, 'Author'),
      body: stringParam(params, 'Body'),
      attributes: attributesParam(params),
    });
    res.json(serializeMessage(resourceContext(context, req), conversation, message));
  });

  router.delete('/Conversations/:conversationSid/Messages/:messageSid', (req, res) => {
    const conversation = conversationOf(req);
    model.removeMessage(model.getMessage(conversation, req.params.messageSid));
    res.status(204).end();
  });

  router.get('/Conversations/:conversationSid/Messages/:messageSid/Receipts', (req, res) => {
    const conversation = conversationOf(req);
    const message = model.getMessage(conversation, req.params.messageSid);
    const resources = resourceContext(context, req);
    res.json(metaPage(req, 'delivery_receipts', message.receipts, (receipt) => serializeReceipt(resources, conversation, message, receipt)));
  });

  router.get('/Conversations/:conversationSid/Messages/:messageSid/Receipts/:receiptSid', (req, res) => {
    const conversation = conversationOf(req);
    const message = model.getMessage(conversation, req.params.messageSid);
    const receipt = message.receipts.find((candidate) => candidate.sid === req.params.receiptSid);
    if (!receipt) throw notFound(req.path);
    res.json(serializeReceipt(resourceContext(context, req), conversation, message, receipt));
  });

  return router;
}
