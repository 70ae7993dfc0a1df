// Delivery to devices: a Conversations message reaches every other participant (an SMS/WhatsApp device
// from the participant's proxy address, or a chat identity), and a Programmable Messaging message
// reaches its `To`. Each delivery is recorded in the device's inbox (GET /Emulator/Outbound) unless a
// `deliver` fault makes it fail; the outcome is reported as Twilio reports it, through onDeliveryUpdated
// (Conversations) or StatusCallback (Messaging): `sent` then `delivered`, or `undelivered`/`failed` with
// the fault's error code (30003 by default).
import { newSid } from '../common/sid';
import type { ConversationEvents } from './conversation-events';
import type { ConversationModel } from './conversation-model';
import type { FaultInjector } from './faults';
import type { ConversationMessageRecord, ConversationRecord, DeliveryReceiptRecord, DeviceMessageRecord, SmsMessageRecord, StateStore } from './state';
import type { OrderedTaskQueue } from './task-queue';
import type { WebhookParams, WebhookSender } from './webhooks';

export interface DeliveryDependencies {
  accountSid: string;
  store: StateStore;
  faults: FaultInjector;
  model: ConversationModel;
  events: ConversationEvents;
  queue: OrderedTaskQueue;
  sender: WebhookSender;
}

const ERROR_MESSAGES: Record<number, string> = { 30003: 'Unreachable destination handset' };

export class Delivery {
  constructor(private readonly deps: DeliveryDependencies) {}

  /** Puts a message in the inbox of device `record.to`. */
  recordOnDevice(record: DeviceMessageRecord): void {
    const inboxes = this.deps.store.state.deviceInboxes;
    (inboxes[record.to] ??= []).push(record);
    this.deps.store.changed();
  }

  /** Delivers a new Conversations message to every participant but its author. */
  deliverConversationMessage(conversation: ConversationRecord, message: ConversationMessageRecord): void {
    const now = this.deps.store.now();
    const mediaUrls = (message.media ?? []).flatMap((media) => (media.url ? [media.url] : []));
    for (const participant of this.deps.model.participants(conversation)) {
      if (participant.sid === message.participantSid) continue;
      const binding = participant.messagingBinding;
      if (!binding) {
        if (participant.identity) {
          this.recordOnDevice({ sid: message.sid, conversationSid: conversation.sid, from: message.author, to: participant.identity, body: message.body ?? '', mediaUrls, dateCreated: now });
        }
        continue;
      }
      const fault = this.deps.faults.take('deliver', [binding.address]);
      const receipt: DeliveryReceiptRecord = {
        sid: newSid('DY'),
        participantSid: participant.sid,
        channelMessageSid: newSid('SM'),
        status: fault ? fault.deliveryStatus : 'delivered',
        errorCode: fault ? fault.code : 0,
        dateCreated: now,
        dateUpdated: now,
      };
      message.receipts.push(receipt);
      if (!fault) {
        this.recordOnDevice({ sid: message.sid, conversationSid: conversation.sid, from: binding.proxyAddress, to: binding.address, body: message.body ?? '', mediaUrls, dateCreated: now });
      }
      if (receipt.status !== 'failed') this.deps.events.deliveryUpdated(conversation, message, receipt, 'sent', 0);
      this.deps.events.deliveryUpdated(conversation, message, receipt, receipt.status, receipt.errorCode);
    }
    this.deps.store.changed();
  }

  /**
   * Delivers an outbound Programmable Messaging message and walks its status forward after the API has
   * answered `queued`: `sent`, then `delivered` (or the fault's failure), each reported to StatusCallback.
   */
  sendSms(message: SmsMessageRecord): void {
    const fault = this.deps.faults.take('deliver', [message.to]);
    if (!fault) {
      this.recordOnDevice({
        sid: message.sid,
        conversationSid: null,
        from: message.from ?? message.messagingServiceSid ?? '',
        to: message.to,
        body: message.body,
        mediaUrls: message.mediaUrls,
        dateCreated: message.dateCreated,
      });
    }
    this.deps.queue.enqueue(`device:${message.to}`, async () => {
      if (fault?.deliveryStatus !== 'failed') {
        this.setSmsStatus(message, 'sent');
        await this.statusCallback(message);
      }
      if (fault) {
        message.errorCode = fault.code;
        message.errorMessage = ERROR_MESSAGES[fault.code] ?? 'Message delivery failed';
        this.setSmsStatus(message, fault.deliveryStatus);
      } else {
        this.setSmsStatus(message, 'delivered');
      }
      await this.statusCallback(message);
    });
  }

  private setSmsStatus(message: SmsMessageRecord, status: SmsMessageRecord['status']): void {
    message.status = status;
    message.dateUpdated = this.deps.store.now();
    if (status === 'sent') message.dateSent = message.dateUpdated;
    this.deps.store.changed();
  }

  private async statusCallback(message: SmsMessageRecord): Promise<void> {
    if (!message.statusCallback) return;
    const params: WebhookParams = {
      AccountSid: this.deps.accountSid,
      ApiVersion: '2010-04-01',
      MessageSid: message.sid,
      SmsSid: message.sid,
      MessageStatus: message.status,
      SmsStatus: message.status,
      To: message.to,
      From: message.from ?? '',
    };
    if (message.messagingServiceSid) params.MessagingServiceSid = message.messagingServiceSid;
    if (message.errorCode !== null) params.ErrorCode = String(message.errorCode);
    await this.deps.sender.send({ url: message.statusCallback, method: 'POST', params, description: `status ${message.status} ${message.sid}` });
  }
}
