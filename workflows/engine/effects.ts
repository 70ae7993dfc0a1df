// The effects port: everything a widget may ask of the world. In the workflow it is backed by
// activities, durable timers and signals (workflows/studio-execution.ts); in unit tests by a plain fake.
import type { FlowDefinition, InboundMessage, JsonObject } from './types';

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
  /** URL parameters, appended to the query string. */
  parameters?: { key: string; value: string }[];
  /** Sent as the form-encoded body instead of `body` (a form POST, Run Function). */
  formParameters?: { key: string; value: string }[];
  addTwilioAuth?: boolean;
  /** Follow 3xx redirects (the default); Run Function counts a 3xx itself as success. */
  followRedirects?: boolean;
  /** Add X-Twilio-Signature, as Twilio signs its calls to a protected Function. */
  signWithTwilio?: boolean;
  widgetName: string;
}

/** Why a request gave no usable response; 'invalidRequest' means it was never sent (81014). */
export type HttpFailure = 'invalidRequest' | 'timeout' | 'tooLarge' | 'transport';

export interface HttpResponseOutcome {
  /** A transport failure (timeout, refused, too large) has no status. */
  statusCode: number | null;
  contentType: string | null;
  body: string | null;
  /** The answer's X-Twilio-Function-Concurrency header, when it has one (Run Function exposes it). */
  functionConcurrency?: string;
  error?: string;
  /** Set when there is no usable response (an HTTP error status is a response, not a failure). */
  failure?: HttpFailure;
}

/** Which revision of a flow Run Subflow asks for (resolved when the widget runs, DESIGN.md decision 1). */
export interface FlowRevisionRequest {
  widgetName: string;
  flowSid: string;
  revision: 'LatestPublished' | 'LatestRevision' | number;
}

export type FlowRevisionOutcome =
  | { ok: true; revision: number; valid: boolean; definition: FlowDefinition }
  | { ok: false; error: { code: number; message: string } };

/** A child flow to run inside this execution (DESIGN.md decision 6). */
export interface SubflowRequest {
  widgetName: string;
  /** The Run Subflow step: the parent_step_sid of every child step. */
  parentStepSid: string;
  flowSid: string;
  revision: number;
  definition: FlowDefinition;
  /** Become `trigger.parent.parameters` in the child. */
  parameters: JsonObject;
}

/** A finished child: the values its Set Variables widgets set (`flow.variables` of the child). */
export type SubflowOutcome = { ok: true; variables: JsonObject } | { ok: false; error: { code: number; message: string } };

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
  /** Reads a flow revision from the Studio API (Run Subflow). */
  fetchFlowRevision(request: FlowRevisionRequest): Promise<FlowRevisionOutcome>;
  /**
   * Runs a child flow inside this execution, sharing its steps, limits, channel and contact. The
   * interpreter provides this one itself (it owns the run loop): hosts implement `HostEffects`.
   */
  runSubflow(request: SubflowRequest): Promise<SubflowOutcome>;
  /** Whether the execution was started by the REST API (Start Conversation needs it). */
  triggerType(): string;
  /** Whether the execution's channel was handed off (Send to Flex): sends then fail. */
  isHandedOff(): boolean;
}

/** What a host (the workflow, a test) gives the interpreter: every effect but the ones it provides itself. */
export type HostEffects = Omit<Effects, 'runSubflow'>;
