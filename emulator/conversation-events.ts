// Conversation-scoped webhooks fire here, with Twilio's post-event form parameters. A target=webhook
// hook receives the events its Configuration.Filters name; a target=studio hook receives onMessageAdded
// at the Flow's webhook URL; a target=trigger hook receives onMessageAdded when the body starts with
// one of its keywords. Which hooks receive an event is decided when it happens; sending is queued per
// Conversation, so each Conversation's webhooks arrive in order.
import { flowWebhookUrl } from '../common/config';
import type { ConversationModel, StateChange } from './conversation-model';
import type {
  ConversationMessageRecord,
  ConversationRecord,
  ConversationWebhookRecord,
  DeliveryReceiptRecord,
  DeliveryStatus,
  ParticipantRecord,
} from './state';
import { isoDate } from './serializers';
import type { OrderedTaskQueue } from './task-queue';
import type { WebhookParams, WebhookSender } from './webhooks';

/** Where a message came from, as Twilio's `Source` parameter says it. */
export type MessageSource = 'SMS' | 'WHATSAPP' | 'SDK' | 'API';

export interface ConversationEventsDependencies {
  accountSid: string;
  publicUrl: string;
  model: ConversationModel;
  queue: OrderedTaskQueue;
  sender: WebhookSender;
}

export class ConversationEvents {
  constructor(private readonly deps: ConversationEventsDependencies) {}

  messageAdded(conversation: ConversationRecord, message: ConversationMessageRecord, source: MessageSource, clientIdentity?: string): void {
    const params = this.messageAddedParams(conversation, message, source, clientIdentity);
    this.dispatch(conversation, 'onMessageAdded', params, this.deps.model.webhooks(conversation), message);
  }

  /** Configuration.ReplayAfter: a new hook receives the messages from that index on, as if just added. */
  replay(conversation: ConversationRecord, webhook: ConversationWebhookRecord): void {
    if (webhook.replayAfter === null) return;
    for (const message of this.deps.model.messages(conversation)) {
      if (message.index < webhook.replayAfter) continue;
      const params = this.messageAddedParams(conversation, message, this.sourceOf(conversation, message));
      this.dispatch(conversation, 'onMessageAdded', params, [webhook], message);
    }
  }

  deliveryUpdated(
    conversation: ConversationRecord,
    message: ConversationMessageRecord,
    receipt: DeliveryReceiptRecord,
    status: DeliveryStatus,
    errorCode: number,
  ): void {
    this.dispatch(conversation, 'onDeliveryUpdated', {
      ...this.commonParams(conversation, 'onDeliveryUpdated'),
      MessageSid: message.sid,
      ParticipantSid: receipt.participantSid,
      DeliveryReceiptSid: receipt.sid,
      ChannelMessageSid: receipt.channelMessageSid,
      Status: status,
      ErrorCode: String(errorCode),
      DateCreated: isoDate(receipt.dateCreated),
      DateUpdated: isoDate(receipt.dateUpdated),
    });
  }

  participantAdded(conversation: ConversationRecord, participant: ParticipantRecord): void {
    this.dispatch(conversation, 'onParticipantAdded', this.participantParams(conversation, participant, 'onParticipantAdded'));
  }

  participantRemoved(conversation: ConversationRecord, participant: ParticipantRecord): void {
    this.dispatch(conversation, 'onParticipantRemoved', this.participantParams(conversation, participant, 'onParticipantRemoved'));
  }

  stateUpdated(change: StateChange, stateUpdatedAt: number): void {
    const { conversation } = change;
    this.dispatch(conversation, 'onConversationStateUpdated', {
      ...this.commonParams(conversation, 'onConversationStateUpdated'),
      StateFrom: change.from,
      StateTo: change.to,
      StateUpdated: isoDate(stateUpdatedAt),
      Reason: change.reason,
    });
  }

  conversationUpdated(conversation: ConversationRecord): void {
    this.dispatch(conversation, 'onConversationUpdated', this.conversationParams(conversation, 'onConversationUpdated'));
  }

  /** Called before the Conversation and its hooks are deleted: the hooks are taken now. */
  conversationRemoved(conversation: ConversationRecord): void {
    this.dispatch(conversation, 'onConversationRemoved', this.conversationParams(conversation, 'onConversationRemoved'));
  }

  /** Where a stored message came from, judged by its author participant. */
  private sourceOf(conversation: ConversationRecord, message: ConversationMessageRecord): MessageSource {
    const author = this.deps.model.participants(conversation).find((participant) => participant.sid === message.participantSid);
    if (!author) return 'API';
    if (author.messagingBinding) return author.messagingBinding.type === 'whatsapp' ? 'WHATSAPP' : 'SMS';
    return 'SDK';
  }

  private commonParams(conversation: ConversationRecord, eventType: string): WebhookParams {
    return {
      AccountSid: this.deps.accountSid,
      EventType: eventType,
      ConversationSid: conversation.sid,
      ChatServiceSid: conversation.chatServiceSid,
      MessagingServiceSid: conversation.messagingServiceSid,
    };
  }

  private messageAddedParams(
    conversation: ConversationRecord,
    message: ConversationMessageRecord,
    source: MessageSource,
    clientIdentity?: string,
  ): WebhookParams {
    const params: WebhookParams = {
      ...this.commonParams(conversation, 'onMessageAdded'),
      MessageSid: message.sid,
      Index: String(message.index),
      DateCreated: isoDate(message.dateCreated),
      Body: message.body ?? '',
      Author: message.author,
      Attributes: message.attributes,
      Source: source,
    };
    if (message.participantSid) params.ParticipantSid = message.participantSid;
    if (clientIdentity) params.ClientIdentity = clientIdentity;
    if (message.media) {
      params.Media = JSON.stringify(
        message.media.map((media) => ({ Sid: media.sid, Filename: media.filename, ContentType: media.contentType, Size: media.size, Category: 'media' })),
      );
    }
    return params;
  }

  private participantParams(conversation: ConversationRecord, participant: ParticipantRecord, eventType: string): WebhookParams {
    const params: WebhookParams = {
      ...this.commonParams(conversation, eventType),
      ParticipantSid: participant.sid,
      Attributes: participant.attributes,
      DateCreated: isoDate(participant.dateCreated),
      Source: 'API',
    };
    if (participant.identity) params.Identity = participant.identity;
    if (participant.roleSid) params.RoleSid = participant.roleSid;
    const binding = participant.messagingBinding;
    if (binding) {
      params['MessagingBinding.Address'] = binding.address;
      params['MessagingBinding.ProxyAddress'] = binding.proxyAddress;
      params['MessagingBinding.Type'] = binding.type.toUpperCase();
    } else {
      params['MessagingBinding.Type'] = 'CHAT';
    }
    return params;
  }

  private conversationParams(conversation: ConversationRecord, eventType: string): WebhookParams {
    const params: WebhookParams = {
      ...this.commonParams(conversation, eventType),
      Attributes: conversation.attributes,
      DateCreated: isoDate(conversation.dateCreated),
      DateUpdated: isoDate(conversation.dateUpdated),
      State: conversation.state,
      Source: 'API',
    };
    if (conversation.friendlyName !== null) params.FriendlyName = conversation.friendlyName;
    if (conversation.uniqueName !== null) params.UniqueName = conversation.uniqueName;
    return params;
  }

  private dispatch(
    conversation: ConversationRecord,
    eventType: string,
    params: WebhookParams,
    webhooks: ConversationWebhookRecord[] = this.deps.model.webhooks(conversation),
    message?: ConversationMessageRecord,
  ): void {
    const receivers = webhooks.filter((webhook) => receives(webhook, eventType, message));
    if (receivers.length === 0) return;
    this.deps.queue.enqueue(`conversation:${conversation.sid}`, async () => {
      for (const webhook of receivers) {
        const url = webhook.target === 'studio' && webhook.flowSid ? flowWebhookUrl(this.deps, webhook.flowSid) : (webhook.url ?? '');
        await this.deps.sender.send({
          url,
          method: webhook.target === 'studio' || webhook.method === 'post' ? 'POST' : 'GET',
          params: { ...params, WebhookSid: webhook.sid, WebhookType: webhook.target },
          description: `${eventType} ${conversation.sid} -> ${webhook.target} ${webhook.sid}`,
          retries: webhook.retryCount,
          withRetryCount: true,
        });
      }
    });
  }
}

function receives(webhook: ConversationWebhookRecord, eventType: string, message: ConversationMessageRecord | undefined): boolean {
  switch (webhook.target) {
    case 'webhook':
      return webhook.filters.some((filter) => filter.toLowerCase() === eventType.toLowerCase());
    case 'studio':
      return eventType === 'onMessageAdded';
    case 'trigger': {
      if (eventType !== 'onMessageAdded' || !message) return false;
      const body = (message.body ?? '').trim().toLowerCase();
      return webhook.triggers.some((keyword) => {
        const word = keyword.trim().toLowerCase();
        return body === word || body.startsWith(`${word} `);
      });
    }
  }
}
