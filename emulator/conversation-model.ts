// The Conversations rules, shared by the REST routes, the device API and address auto-creation:
// unique names, the one-active-Conversation-per-address-pair binding rule, states and timers,
// message indexes and the five-webhook limit. It mutates the state and throws Twilio errors; it sends
// nothing (conversation-events.ts and delivery.ts do).
import { isSid, newSid } from '../common/sid';
import type {
  ConversationMessageRecord,
  ConversationRecord,
  ConversationState,
  ConversationWebhookRecord,
  MediaRecord,
  MessagingChannel,
  ParticipantRecord,
  StateStore,
  WebhookMethod,
  WebhookTarget,
} from './state';
import { armTimers, dueTransition } from './timers';
import { badRequest, conflict, missingParameter, notFound, TwilioApiError, TwilioErrorCode } from './twilio-errors';

export type StateChangeReason = 'API' | 'TIMER' | 'EVENT';

export interface StateChange {
  conversation: ConversationRecord;
  from: ConversationState;
  to: ConversationState;
  reason: StateChangeReason;
}

export interface ConversationInput {
  chatServiceSid?: string;
  friendlyName?: string;
  uniqueName?: string;
  attributes?: string;
  messagingServiceSid?: string;
  state?: ConversationState;
  /** undefined = unchanged, null = timer off. */
  inactiveTimerMs?: number | null;
  closedTimerMs?: number | null;
  emailBindingAddress?: string;
  emailBindingName?: string;
}

export interface ParticipantInput {
  identity?: string;
  address?: string;
  proxyAddress?: string;
  projectedAddress?: string;
  attributes?: string;
  roleSid?: string;
}

export interface ParticipantUpdate {
  attributes?: string;
  roleSid?: string;
  proxyAddress?: string;
  lastReadMessageIndex?: number | null;
  lastReadTimestamp?: string;
}

export interface MessageInput {
  author: string;
  body: string | null;
  attributes?: string;
  media?: MediaRecord[] | null;
  participantSid: string | null;
}

export interface WebhookInput {
  target?: WebhookTarget;
  url?: string;
  method?: WebhookMethod;
  filters?: string[];
  triggers?: string[];
  flowSid?: string;
  replayAfter?: number;
  retryCount?: number;
}

const MAX_WEBHOOKS_PER_CONVERSATION = 5;

/** `whatsapp:+1…` is WhatsApp; any other address is SMS. */
export function channelOf(address: string): MessagingChannel {
  return address.toLowerCase().startsWith('whatsapp:') ? 'whatsapp' : 'sms';
}

export class ConversationModel {
  constructor(
    private readonly store: StateStore,
    private readonly onStateChange: (change: StateChange) => void,
  ) {}

  private get state() {
    return this.store.state;
  }

  // ---- Conversations -------------------------------------------------------------------------------

  /** By SID or UniqueName, optionally only within one Conversation Service. */
  find(sidOrUniqueName: string, chatServiceSid?: string): ConversationRecord | undefined {
    const inService = (conversation: ConversationRecord) => chatServiceSid === undefined || conversation.chatServiceSid === chatServiceSid;
    const bySid = this.state.conversations[sidOrUniqueName];
    if (bySid && inService(bySid)) return bySid;
    return Object.values(this.state.conversations).find((conversation) => conversation.uniqueName === sidOrUniqueName && inService(conversation));
  }

  get(sidOrUniqueName: string, chatServiceSid?: string): ConversationRecord {
    const conversation = this.find(sidOrUniqueName, chatServiceSid);
    if (!conversation) throw notFound(`/Conversations/${sidOrUniqueName}`);
    return conversation;
  }

  list(chatServiceSid?: string): ConversationRecord[] {
    return Object.values(this.state.conversations).filter((conversation) => chatServiceSid === undefined || conversation.chatServiceSid === chatServiceSid);
  }

  create(input: ConversationInput): ConversationRecord {
    if (input.state === 'closed') throw badRequest("Initial state can't be 'closed'", TwilioErrorCode.initialStateClosed);
    if (input.uniqueName !== undefined) this.assertUniqueNameFree(input.uniqueName, undefined);
    const now = this.store.now();
    const conversation: ConversationRecord = {
      sid: newSid('CH'),
      chatServiceSid: input.chatServiceSid ?? this.state.defaultChatServiceSid,
      messagingServiceSid: input.messagingServiceSid ?? this.state.defaultMessagingServiceSid,
      friendlyName: input.friendlyName ?? null,
      uniqueName: input.uniqueName || null,
      attributes: input.attributes ?? '{}',
      state: input.state ?? 'active',
      inactiveTimerMs: input.inactiveTimerMs ?? null,
      closedTimerMs: input.closedTimerMs ?? null,
      dateInactive: null,
      dateClosed: null,
      lastActivityAt: now,
      nextMessageIndex: 0,
      dateCreated: now,
      dateUpdated: now,
      emailBinding:
        input.emailBindingAddress !== undefined || input.emailBindingName !== undefined
          ? { address: input.emailBindingAddress ?? null, name: input.emailBindingName ?? null }
          : null,
    };
    armTimers(conversation);
    this.state.conversations[conversation.sid] = conversation;
    this.store.changed();
    return conversation;
  }

  update(conversation: ConversationRecord, input: ConversationInput): ConversationRecord {
    this.assertNotClosed(conversation);
    if (input.uniqueName !== undefined && input.uniqueName !== conversation.uniqueName) this.assertUniqueNameFree(input.uniqueName, conversation.sid);
    if (input.friendlyName !== undefined) conversation.friendlyName = input.friendlyName;
    if (input.uniqueName !== undefined) conversation.uniqueName = input.uniqueName === '' ? null : input.uniqueName;
    if (input.attributes !== undefined) conversation.attributes = input.attributes;
    if (input.messagingServiceSid !== undefined) conversation.messagingServiceSid = input.messagingServiceSid;
    if (input.emailBindingAddress !== undefined || input.emailBindingName !== undefined) {
      conversation.emailBinding = {
        address: input.emailBindingAddress ?? conversation.emailBinding?.address ?? null,
        name: input.emailBindingName ?? conversation.emailBinding?.name ?? null,
      };
    }
    const timersChanged = input.inactiveTimerMs !== undefined || input.closedTimerMs !== undefined;
    if (input.inactiveTimerMs !== undefined) conversation.inactiveTimerMs = input.inactiveTimerMs;
    if (input.closedTimerMs !== undefined) conversation.closedTimerMs = input.closedTimerMs;
    conversation.dateUpdated = this.store.now();
    if (timersChanged) conversation.lastActivityAt = conversation.dateUpdated;
    if (input.state !== undefined && input.state !== conversation.state) {
      this.setState(conversation, input.state, 'API');
    } else {
      armTimers(conversation);
    }
    this.store.changed();
    return conversation;
  }

  remove(conversation: ConversationRecord): void {
    const sid = conversation.sid;
    delete this.state.conversations[sid];
    for (const collection of [this.state.participants, this.state.messages, this.state.webhooks]) {
      for (const [key, record] of Object.entries(collection)) if (record.conversationSid === sid) delete collection[key];
    }
    this.store.changed();
  }

  setState(conversation: ConversationRecord, to: ConversationState, reason: StateChangeReason): void {
    const from = conversation.state;
    if (from === to) return;
    conversation.state = to;
    conversation.dateUpdated = this.store.now();
    if (to === 'active') conversation.lastActivityAt = conversation.dateUpdated;
    armTimers(conversation);
    this.store.changed();
    this.onStateChange({ conversation, from, to, reason });
  }

  /** Moves every conversation whose timer is due; cheap enough to run before each request. */
  applyDueTimers(): void {
    const now = this.store.now();
    for (const conversation of Object.values(this.state.conversations)) {
      const to = dueTransition(conversation, now);
      if (to) this.setState(conversation, to, 'TIMER');
    }
  }

  /** A new message: the timers restart and an inactive conversation becomes active again. */
  private recordActivity(conversation: ConversationRecord): void {
    conversation.lastActivityAt = this.store.now();
    if (conversation.state === 'inactive') this.setState(conversation, 'active', 'EVENT');
    else armTimers(conversation);
  }

  assertNotClosed(conversation: ConversationRecord): void {
    if (conversation.state === 'closed') {
      throw badRequest(`Can't update conversation ${conversation.sid} as it's in final closed state`, TwilioErrorCode.conversationClosed);
    }
  }

  private assertUniqueNameFree(uniqueName: string, ownSid: string | undefined): void {
    if (uniqueName === '') return;
    if (isSid(uniqueName, 'CH')) throw badRequest('Unique name should not match conversation sid pattern', 50390);
    const taken = Object.values(this.state.conversations).some((conversation) => conversation.uniqueName === uniqueName && conversation.sid !== ownSid);
    if (taken) throw conflict('Conversation with provided unique name already exists', TwilioErrorCode.conversationUniqueNameExists);
  }

  // ---- Participants --------------------------------------------------------------------------------

  participants(conversation: ConversationRecord): ParticipantRecord[] {
    return Object.values(this.state.participants).filter((participant) => participant.conversationSid === conversation.sid);
  }

  getParticipant(conversation: ConversationRecord, sid: string): ParticipantRecord {
    const participant = this.state.participants[sid];
    if (!participant || participant.conversationSid !== conversation.sid) {
      throw new TwilioApiError(404, TwilioErrorCode.participantNotFound, `Participant ${sid} not found in conversation ${conversation.sid}`);
    }
    return participant;
  }

  findParticipantByIdentity(conversation: ConversationRecord, identity: string): ParticipantRecord | undefined {
    return this.participants(conversation).find((participant) => participant.identity === identity);
  }

  /** The participant a message `Author` names: a chat identity or a messaging address. */
  findParticipantByAuthor(conversation: ConversationRecord, author: string): ParticipantRecord | undefined {
    return this.participants(conversation).find((participant) => participant.identity === author || participant.messagingBinding?.address === author);
  }

  /** The participant (in a non-closed conversation) that owns the (address, proxy address) pair. */
  findBoundParticipant(address: string, proxyAddress: string): { conversation: ConversationRecord; participant: ParticipantRecord } | undefined {
    for (const participant of Object.values(this.state.participants)) {
      const binding = participant.messagingBinding;
      if (!binding || binding.address !== address || binding.proxyAddress !== proxyAddress) continue;
      const conversation = this.state.conversations[participant.conversationSid];
      if (conversation && conversation.state !== 'closed') return { conversation, participant };
    }
    return undefined;
  }

  addParticipant(conversation: ConversationRecord, input: ParticipantInput): ParticipantRecord {
    this.assertNotClosed(conversation);
    if (input.projectedAddress !== undefined) {
      throw badRequest('Group MMS is not enabled for this Account (MessagingBinding.ProjectedAddress is not emulated)', TwilioErrorCode.groupMmsNotEnabled);
    }
    if (input.identity === undefined && input.address === undefined) {
      throw badRequest('Either Identity or MessagingBinding.Address must be provided');
    }
    if (input.identity !== undefined && input.address !== undefined) {
      throw badRequest('A participant has either an Identity (chat) or a MessagingBinding.Address (SMS/WhatsApp), not both');
    }
    if (input.identity !== undefined && this.findParticipantByIdentity(conversation, input.identity)) {
      throw conflict('Participant already exists', TwilioErrorCode.participantIdentityExists);
    }
    let messagingBinding: ParticipantRecord['messagingBinding'] = null;
    if (input.address !== undefined) {
      if (input.proxyAddress === undefined) throw missingParameter('MessagingBinding.ProxyAddress');
      messagingBinding = this.checkedBinding(conversation, input.address, input.proxyAddress);
    }
    const now = this.store.now();
    const participant: ParticipantRecord = {
      sid: newSid('MB'),
      conversationSid: conversation.sid,
      identity: input.identity ?? null,
      attributes: input.attributes ?? '{}',
      messagingBinding,
      roleSid: input.roleSid ?? null,
      lastReadMessageIndex: null,
      lastReadTimestamp: null,
      dateCreated: now,
      dateUpdated: now,
    };
    this.state.participants[participant.sid] = participant;
    this.store.changed();
    return participant;
  }

  updateParticipant(participant: ParticipantRecord, update: ParticipantUpdate): ParticipantRecord {
    const conversation = this.get(participant.conversationSid);
    this.assertNotClosed(conversation);
    if (update.proxyAddress !== undefined && participant.messagingBinding && update.proxyAddress !== participant.messagingBinding.proxyAddress) {
      participant.messagingBinding = this.checkedBinding(conversation, participant.messagingBinding.address, update.proxyAddress);
    }
    if (update.attributes !== undefined) participant.attributes = update.attributes;
    if (update.roleSid !== undefined) participant.roleSid = update.roleSid;
    if (update.lastReadMessageIndex !== undefined) participant.lastReadMessageIndex = update.lastReadMessageIndex;
    if (update.lastReadTimestamp !== undefined) participant.lastReadTimestamp = update.lastReadTimestamp;
    participant.dateUpdated = this.store.now();
    this.store.changed();
    return participant;
  }

  removeParticipant(participant: ParticipantRecord): void {
    delete this.state.participants[participant.sid];
    this.store.changed();
  }

  private checkedBinding(conversation: ConversationRecord, address: string, proxyAddress: string): NonNullable<ParticipantRecord['messagingBinding']> {
    const type = channelOf(address);
    if (channelOf(proxyAddress) !== type) {
      throw badRequest(`MessagingBinding.Address ${address} and MessagingBinding.ProxyAddress ${proxyAddress} are on different channels`);
    }
    const owner = this.findBoundParticipant(address, proxyAddress);
    if (owner && owner.conversation.sid === conversation.sid) {
      throw conflict('A participant matching this one already exists in the conversation', TwilioErrorCode.participantAlreadyInConversation);
    }
    if (owner) {
      throw conflict(`A binding for this participant and proxy address already exists in Conversation ${owner.conversation.sid}`, TwilioErrorCode.bindingAlreadyInUse);
    }
    return { type, address, proxyAddress };
  }

  // ---- Messages ------------------------------------------------------------------------------------

  messages(conversation: ConversationRecord): ConversationMessageRecord[] {
    return Object.values(this.state.messages)
      .filter((message) => message.conversationSid === conversation.sid)
      .sort((a, b) => a.index - b.index);
  }

  getMessage(conversation: ConversationRecord, sid: string): ConversationMessageRecord {
    const message = this.state.messages[sid];
    if (!message || message.conversationSid !== conversation.sid) throw notFound(`/Conversations/${conversation.sid}/Messages/${sid}`);
    return message;
  }

  addMessage(conversation: ConversationRecord, input: MessageInput): ConversationMessageRecord {
    this.assertNotClosed(conversation);
    if ((input.body === null || input.body === '') && (!input.media || input.media.length === 0)) {
      throw badRequest('A message needs a Body or a MediaSid');
    }
    this.recordActivity(conversation);
    const now = this.store.now();
    const message: ConversationMessageRecord = {
      sid: newSid('IM'),
      conversationSid: conversation.sid,
      index: conversation.nextMessageIndex,
      author: input.author,
      body: input.body,
      media: input.media && input.media.length > 0 ? input.media : null,
      attributes: input.attributes ?? '{}',
      participantSid: input.participantSid,
      receipts: [],
      dateCreated: now,
      dateUpdated: now,
    };
    conversation.nextMessageIndex += 1;
    conversation.dateUpdated = now;
    this.state.messages[message.sid] = message;
    this.store.changed();
    return message;
  }

  updateMessage(message: ConversationMessageRecord, update: { author?: string; body?: string; attributes?: string }): ConversationMessageRecord {
    if (update.author !== undefined) message.author = update.author;
    if (update.body !== undefined) message.body = update.body;
    if (update.attributes !== undefined) message.attributes = update.attributes;
    message.dateUpdated = this.store.now();
    this.store.changed();
    return message;
  }

  removeMessage(message: ConversationMessageRecord): void {
    delete this.state.messages[message.sid];
    this.store.changed();
  }

  // ---- Conversation-scoped webhooks ------------------------------------------------------------------

  webhooks(conversation: ConversationRecord): ConversationWebhookRecord[] {
    return Object.values(this.state.webhooks).filter((webhook) => webhook.conversationSid === conversation.sid);
  }

  getWebhook(conversation: ConversationRecord, sid: string): ConversationWebhookRecord {
    const webhook = this.state.webhooks[sid];
    if (!webhook || webhook.conversationSid !== conversation.sid) throw notFound(`/Conversations/${conversation.sid}/Webhooks/${sid}`);
    return webhook;
  }

  addWebhook(conversation: ConversationRecord, input: WebhookInput): ConversationWebhookRecord {
    this.assertNotClosed(conversation);
    if (input.target === undefined) throw missingParameter('Target');
    if (this.webhooks(conversation).length >= MAX_WEBHOOKS_PER_CONVERSATION) {
      throw badRequest('The limit for conversation-scoped webhooks is five', TwilioErrorCode.tooManyConversationWebhooks);
    }
    const now = this.store.now();
    const webhook: ConversationWebhookRecord = {
      sid: newSid('WH'),
      conversationSid: conversation.sid,
      target: input.target,
      url: input.url ?? null,
      method: input.method ?? 'post',
      filters: input.filters ?? [],
      triggers: input.triggers ?? [],
      flowSid: input.flowSid ?? null,
      replayAfter: input.replayAfter ?? null,
      retryCount: input.retryCount ?? 1,
      dateCreated: now,
      dateUpdated: now,
    };
    assertWebhookComplete(webhook);
    this.state.webhooks[webhook.sid] = webhook;
    this.store.changed();
    return webhook;
  }

  updateWebhook(webhook: ConversationWebhookRecord, input: WebhookInput): ConversationWebhookRecord {
    const updated: ConversationWebhookRecord = {
      ...webhook,
      url: input.url ?? webhook.url,
      method: input.method ?? webhook.method,
      filters: input.filters ?? webhook.filters,
      triggers: input.triggers ?? webhook.triggers,
      flowSid: input.flowSid ?? webhook.flowSid,
      dateUpdated: this.store.now(),
    };
    assertWebhookComplete(updated);
    this.state.webhooks[webhook.sid] = updated;
    this.store.changed();
    return updated;
  }

  removeWebhook(webhook: ConversationWebhookRecord): void {
    delete this.state.webhooks[webhook.sid];
    this.store.changed();
  }
}

function assertWebhookComplete(webhook: ConversationWebhookRecord): void {
  if ((webhook.target === 'webhook' || webhook.target === 'trigger') && !webhook.url) {
    throw badRequest(`Configuration.Url is required for target ${webhook.target}`);
  }
  if (webhook.url !== null && !/^https?:\/\//i.test(webhook.url)) throw badRequest(`Configuration.Url must be an absolute http(s) URL, got "${webhook.url}"`);
  if (webhook.target === 'trigger' && webhook.triggers.length === 0) throw badRequest('Configuration.Triggers is required for target trigger');
  if (webhook.target === 'studio' && !isSid(webhook.flowSid, 'FW')) {
    throw badRequest(`Configuration.FlowSid must be a Flow SID (FW…) for target studio, got "${webhook.flowSid ?? ''}"`);
  }
}
