// The effects port: everything a widget may ask of the world. In the workflow it is backed by
// activities, durable timers and signals (workflows/studio-execution.ts); in unit tests by a plain fake.
import type { InboundMessage, JsonObject } from './types';

export interface OutboundMessageRequest {
  /** Studio's `from`/`to` after Liquid; with a Conversation channel the message goes to the Conversation. */
  from: string;
  to: string;
  body: string;
  mediaUrl?: string;
  attributes?: string;
  /** A short human label for the Web UI (activity summary). */
  widgetName: string;
}

export type SendOutcome =
  | { ok: true; message: JsonObject }
  | { ok: false; error: { code: number; message: string }; message?: JsonObject };

export type WaitOutcome =
  | { kind: 'reply'; message: InboundMessage }
  | { kind: 'timeout' }
  | { kind: 'deliveryFailure'; status: string; errorCode?: string };

export interface StartConversationRequest {
  widgetName: string;
  conversationServiceSid?: string;
  messagingServiceSid?: string;
  uniqueName?: string;
  friendlyName?: string;
  attributes?: string;
  timersInactive?: string;
  timersClosed?: string;
  emailBindingAddress?: string;
  emailBindingName?: string;
  participant:
    | { type: 'messaging'; address: string; proxyAddress: string; attributes?: string; roleSid?: string }
    | { type: 'chat'; identity: string; attributes?: string; roleSid?: string };
}

export type StartConversationOutcome =
  | { ok: true; conversation: JsonObject; participant: JsonObject; webhookSid: string }
  | { ok: false; error: { code: number; message: string }; stage: 'conversation' | 'participant' | 'webhook' };

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  url: string;
  contentType?: string;
  body?: string;
  parameters?: { key: string; value: string }[];
  addTwilioAuth?: boolean;
  widgetName: string;
}

export interface HttpResponseOutcome {
  /** A transport failure (timeout, refused, too large) has no status. */
  statusCode: number | null;
  contentType: string | null;
  body: string | null;
  error?: string;
}

export interface FlexInteractionRequest {
  widgetName: string;
  workflowSid: string;
  taskChannel: string;
  attributes: string;
  priority?: number;
  timeout?: number;
}

export type FlexInteractionOutcome = { ok: true; interaction: JsonObject } | { ok: false; error: { code: number; message: string } };

export interface Effects {
  sendMessage(request: OutboundMessageRequest): Promise<SendOutcome>;
  /** Waits (a durable timer) for the contact's next message or a delivery failure of `sentMessageSid`. */
  waitForReply(options: { widgetName: string; timeoutSeconds: number; sentMessageSid?: string }): Promise<WaitOutcome>;
  startConversation(request: StartConversationRequest): Promise<StartConversationOutcome>;
  httpRequest(request: HttpRequestSpec): Promise<HttpResponseOutcome>;
  createFlexInteraction(request: FlexInteractionRequest): Promise<FlexInteractionOutcome>;
  /** Whether the execution was started by the REST API (Start Conversation needs it). */
  triggerType(): string;
  /** Whether the execution's channel was handed off (Send to Flex): sends then fail. */
  isHandedOff(): boolean;
}
