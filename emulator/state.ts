// Everything the emulator knows lives in one plain JSON object, so a restart of the process (or a
// new emulator on the same file) keeps conversations, numbers and device inboxes.
// Records are camelCase with epoch-millisecond dates; serializers.ts turns them into Twilio's JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newSid } from '../common/sid';

export type ConversationState = 'active' | 'inactive' | 'closed';

export interface ConversationRecord {
  sid: string;
  chatServiceSid: string;
  messagingServiceSid: string;
  friendlyName: string | null;
  uniqueName: string | null;
  attributes: string;
  state: ConversationState;
  /** Configured timer durations; null = no timer. */
  inactiveTimerMs: number | null;
  closedTimerMs: number | null;
  /** When the timers fire (epoch ms), counted from the last activity; null = not armed. */
  dateInactive: number | null;
  dateClosed: number | null;
  lastActivityAt: number;
  nextMessageIndex: number;
  dateCreated: number;
  dateUpdated: number;
  /** `Bindings.Email.Address` / `.Name`: the default email sender of the Conversation (absent in older state files). */
  emailBinding?: { address: string | null; name: string | null } | null;
}

export type MessagingChannel = 'sms' | 'whatsapp';

export interface MessagingBinding {
  type: MessagingChannel;
  address: string;
  proxyAddress: string;
}

export interface ParticipantRecord {
  sid: string;
  conversationSid: string;
  identity: string | null;
  attributes: string;
  messagingBinding: MessagingBinding | null;
  roleSid: string | null;
  lastReadMessageIndex: number | null;
  lastReadTimestamp: string | null;
  dateCreated: number;
  dateUpdated: number;
}

export interface MediaRecord {
  sid: string;
  contentType: string;
  filename: string | null;
  size: number;
  /** Where the device fetched it from, when it came from a device. */
  url: string | null;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'failed' | 'undelivered' | 'read';

export interface DeliveryReceiptRecord {
  sid: string;
  participantSid: string;
  channelMessageSid: string;
  status: DeliveryStatus;
  errorCode: number;
  dateCreated: number;
  dateUpdated: number;
}

export interface ConversationMessageRecord {
  sid: string;
  conversationSid: string;
  index: number;
  author: string;
  body: string | null;
  media: MediaRecord[] | null;
  attributes: string;
  participantSid: string | null;
  receipts: DeliveryReceiptRecord[];
  dateCreated: number;
  dateUpdated: number;
}

export type WebhookTarget = 'webhook' | 'studio' | 'trigger';
export type WebhookMethod = 'get' | 'post';

export interface ConversationWebhookRecord {
  sid: string;
  conversationSid: string;
  target: WebhookTarget;
  url: string | null;
  method: WebhookMethod;
  filters: string[];
  triggers: string[];
  flowSid: string | null;
  replayAfter: number | null;
  /** Extra attempts after a 5xx or timeout (1 unless an address configuration's StudioRetryCount says otherwise). */
  retryCount: number;
  dateCreated: number;
  dateUpdated: number;
}

export type AutoCreationType = 'webhook' | 'studio' | 'default';

export interface AutoCreationSettings {
  enabled: boolean;
  type: AutoCreationType;
  conversationServiceSid: string | null;
  webhookUrl: string | null;
  webhookMethod: WebhookMethod | null;
  webhookFilters: string[];
  studioFlowSid: string | null;
  studioRetryCount: number | null;
}

export interface AddressConfigurationRecord {
  sid: string;
  type: string;
  address: string;
  friendlyName: string | null;
  addressCountry: string | null;
  autoCreation: AutoCreationSettings;
  dateCreated: number;
  dateUpdated: number;
}

export interface PhoneNumberRecord {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  smsUrl: string | null;
  smsMethod: 'GET' | 'POST';
  smsFallbackUrl: string | null;
  smsFallbackMethod: 'GET' | 'POST';
  statusCallback: string | null;
  dateCreated: number;
  dateUpdated: number;
}

export type SmsStatus = 'accepted' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received' | 'canceled';
export type SmsDirection = 'outbound-api' | 'outbound-reply' | 'inbound';

export interface SmsMessageRecord {
  sid: string;
  from: string | null;
  to: string;
  body: string;
  direction: SmsDirection;
  status: SmsStatus;
  messagingServiceSid: string | null;
  statusCallback: string | null;
  mediaUrls: string[];
  errorCode: number | null;
  errorMessage: string | null;
  dateCreated: number;
  dateUpdated: number;
  dateSent: number | null;
}

export interface InteractionRecord {
  sid: string;
  channel: Record<string, unknown>;
  routing: Record<string, unknown>;
  interactionContextSid: string | null;
  webhookTtid: string | null;
  dateCreated: number;
}

/** One message as the device (phone or chat user) received it. */
export interface DeviceMessageRecord {
  sid: string;
  conversationSid: string | null;
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
  dateCreated: number;
}

export const FAULT_OPERATIONS = [
  'createConversation',
  'createParticipant',
  'createWebhook',
  'deleteWebhook',
  'sendMessage',
  'deliver',
  'createInteraction',
] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

export interface FaultRecord {
  operation: FaultOperation;
  /** Only calls concerning this address fail; null = any call of the operation. */
  address: string | null;
  remaining: number;
  /** REST faults: the HTTP status and Twilio error code of the failure. */
  httpStatus: number;
  code: number;
  /** `deliver` faults: the final delivery status reported. */
  deliveryStatus: 'failed' | 'undelivered';
}

export interface EmulatorState {
  version: 1;
  /** Added to the wall clock: POST /Emulator/Clock moves time forward to fire conversation timers. */
  clockOffsetMs: number;
  defaultChatServiceSid: string;
  defaultMessagingServiceSid: string;
  conversations: Record<string, ConversationRecord>;
  participants: Record<string, ParticipantRecord>;
  messages: Record<string, ConversationMessageRecord>;
  webhooks: Record<string, ConversationWebhookRecord>;
  addressConfigurations: Record<string, AddressConfigurationRecord>;
  phoneNumbers: Record<string, PhoneNumberRecord>;
  smsMessages: Record<string, SmsMessageRecord>;
  interactions: Record<string, InteractionRecord>;
  deviceInboxes: Record<string, DeviceMessageRecord[]>;
  faults: FaultRecord[];
}

/**
 * A map keyed by caller-supplied strings (SIDs, unique names, addresses). It has no prototype, so a key
 * such as `__proto__` or `constructor` is just a key and never reaches Object.prototype.
 */
function dictionary<T>(entries: Record<string, T> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

export function createEmptyState(keep?: Pick<EmulatorState, 'defaultChatServiceSid' | 'defaultMessagingServiceSid'>): EmulatorState {
  return {
    version: 1,
    clockOffsetMs: 0,
    defaultChatServiceSid: keep?.defaultChatServiceSid ?? newSid('IS'),
    defaultMessagingServiceSid: keep?.defaultMessagingServiceSid ?? newSid('MG'),
    conversations: dictionary(),
    participants: dictionary(),
    messages: dictionary(),
    webhooks: dictionary(),
    addressConfigurations: dictionary(),
    phoneNumbers: dictionary(),
    smsMessages: dictionary(),
    interactions: dictionary(),
    deviceInboxes: dictionary(),
    faults: [],
  };
}

/** A loaded snapshot, with its maps turned back into prototype-free dictionaries. */
function fromSnapshot(snapshot: EmulatorState): EmulatorState {
  return {
    ...createEmptyState(snapshot),
    clockOffsetMs: snapshot.clockOffsetMs ?? 0,
    conversations: dictionary(snapshot.conversations),
    participants: dictionary(snapshot.participants),
    messages: dictionary(snapshot.messages),
    webhooks: dictionary(snapshot.webhooks),
    addressConfigurations: dictionary(snapshot.addressConfigurations),
    phoneNumbers: dictionary(snapshot.phoneNumbers),
    smsMessages: dictionary(snapshot.smsMessages),
    interactions: dictionary(snapshot.interactions),
    deviceInboxes: dictionary(snapshot.deviceInboxes),
    faults: Array.isArray(snapshot.faults) ? snapshot.faults : [],
  };
}

function isEmulatorState(value: unknown): value is EmulatorState {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<EmulatorState>;
  return candidate.version === 1 && typeof candidate.defaultChatServiceSid === 'string' && typeof candidate.conversations === 'object';
}

export interface StateStoreOptions {
  stateFile?: string;
  /** Writes are coalesced: a burst of changes costs one write. */
  debounceMs?: number;
  onError?: (error: unknown) => void;
}

/** Owns the state object, the emulator's clock and the snapshot file. */
export class StateStore {
  state: EmulatorState;
  private readonly stateFile: string | undefined;
  private readonly debounceMs: number;
  private readonly onError: (error: unknown) => void;
  private saveTimer: NodeJS.Timeout | undefined;
  /** Writes run one after another so two renames never race. */
  private writing: Promise<void> = Promise.resolve();

  constructor(options: StateStoreOptions = {}) {
    this.stateFile = options.stateFile;
    this.debounceMs = options.debounceMs ?? 20;
    this.onError = options.onError ?? (() => undefined);
    this.state = this.load() ?? createEmptyState();
  }

  /** The emulator's notion of now (wall clock plus the test-controlled offset). */
  now(): number {
    return Date.now() + this.state.clockOffsetMs;
  }

  /** Call after every mutation: schedules a snapshot. */
  changed(): void {
    if (!this.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flush();
    }, this.debounceMs);
    this.saveTimer.unref();
  }

  flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const stateFile = this.stateFile;
    if (!stateFile) return Promise.resolve();
    // Serialize now, so the snapshot is the state at the time of the call.
    const snapshot = JSON.stringify(this.state);
    this.writing = this.writing.then(() => writeAtomically(stateFile, snapshot)).catch((error: unknown) => this.onError(error));
    return this.writing;
  }

  reset(): void {
    this.state = createEmptyState(this.state);
    this.changed();
  }

  private load(): EmulatorState | undefined {
    if (!this.stateFile || !fs.existsSync(this.stateFile)) return undefined;
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.stateFile, 'utf8'));
      if (isEmulatorState(parsed)) return fromSnapshot(parsed);
      this.onError(new Error(`${this.stateFile} is not an emulator state file; starting empty`));
    } catch (error) {
      this.onError(error);
    }
    return undefined;
  }
}

async function writeAtomically(file: string, content: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(temporary, content, 'utf8');
  await fs.promises.rename(temporary, file);
}
