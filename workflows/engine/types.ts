// The shapes the interpreter works with: Studio's flow definition, the execution context, steps, and
// what flows into a workflow (its input and the inbound events it is signalled). Public JSON keeps
// Twilio's snake_case; these types mirror it where the data is Studio's own.

/** A flow definition as Studio exports it. Unknown keys are kept (DESIGN.md decision 13). */
export interface FlowDefinition {
  description?: string;
  states: FlowState[];
  initial_state: string;
  flags?: { allow_concurrent_calls?: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

export interface FlowState {
  name: string;
  type: string;
  properties?: Record<string, unknown>;
  transitions?: FlowTransition[];
  [key: string]: unknown;
}

export interface FlowTransition {
  event: string;
  next?: string | null;
  conditions?: SplitCondition[];
  [key: string]: unknown;
}

export interface SplitCondition {
  friendly_name?: string;
  arguments?: string[];
  type: string;
  value?: unknown;
  [key: string]: unknown;
}

/** A JSON value, as stored in the execution context. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The channel an execution talks on: `flow.channel`. `sid`/`type` appear once a Conversation is bound. */
export interface FlowChannel extends JsonObject {
  address: string;
}

/** Studio's execution context: the four roots of docs/studio-reference.md §3.1. */
export interface ExecutionContext {
  flow: {
    flow_sid: string;
    sid: string; // the execution SID (Studio's naming quirk)
    channel: FlowChannel;
    data: JsonObject;
    variables: JsonObject;
    [key: string]: JsonValue;
  };
  contact: { channel: { address: string; [key: string]: JsonValue } };
  trigger: {
    request?: JsonObject;
    message?: JsonObject;
    conversation?: JsonObject;
    parent?: JsonObject;
    [key: string]: JsonObject | undefined;
  };
  widgets: { [widgetName: string]: JsonObject };
}

/** One step: the runtime processing of a widget, as Studio's ExecutionStep (snake_case, public). */
export interface ExecutionStep {
  sid: string;
  name: string; // the event that caused the transition
  transitioned_from: string;
  transitioned_to: string; // the next widget, or 'Ended'
  type: string; // the widget type of transitioned_from
  context: JsonObject; // what the step wrote: its widget's output, and warnings
  date_created: string;
  parent_step_sid: string | null;
}

export type TriggerEvent =
  | { type: 'incomingRequest'; to: string; from: string; parameters: JsonObject; requestSid: string }
  | { type: 'incomingMessage'; message: Record<string, string> }
  | { type: 'incomingConversationMessage'; conversation: Record<string, string> };

/** A message that reached the execution after it started (a signal). */
export interface InboundMessage {
  source: 'messaging' | 'conversation';
  messageSid: string;
  /** The webhook's parameters as Twilio sent them (after the gateway's pure mapping). */
  params: Record<string, string>;
}

/** A delivery report for a message the execution sent (status callback or onDeliveryUpdated). */
export interface DeliveryUpdate {
  messageSid: string;
  status: string; // queued | sent | delivered | undelivered | failed | read
  errorCode?: string;
}

/**
 * The delivery statuses an execution acts on (Send & Wait For Reply's deliveryFailure). The gateway signals
 * only these: the others (queued, sent, delivered, read) change nothing, and as signals each would add
 * history events and a workflow task, and often race the execution's last task (UnhandledCommand, a retry).
 */
export const FAILED_DELIVERY_STATUSES: ReadonlySet<string> = new Set(['failed', 'undelivered']);

/** Why an execution ended, recorded in its final state (Studio's Event Streams call it ended_reason). */
export type EndedReason =
  | 'FLOW_END'
  | 'ENDED_BY_API'
  | 'MAX_STEPS'
  | 'WIDGET_LOOP'
  | 'LIFETIME'
  | 'UNSUPPORTED_WIDGET'
  | 'SPLIT_NO_MATCH'
  | 'ERROR';

export interface StudioExecutionInput {
  accountSid: string;
  executionSid: string;
  flowSid: string;
  flowRevision: number;
  definition: FlowDefinition;
  trigger: TriggerEvent;
  /** ISO time the execution was created (the workflow's own clock starts here after continue-as-new). */
  dateCreated?: string;
  /** Limits overridable by tests; Studio's values by default (DESIGN.md decision 9). */
  limits?: Partial<ExecutionLimits>;
  /** State carried across continue-as-new. */
  carried?: CarriedState;
}

export interface ExecutionLimits {
  maxSteps: number;
  maxSameWidgetInARow: number;
  lifetimeMs: number;
}

export const STUDIO_LIMITS: ExecutionLimits = {
  maxSteps: 1000,
  maxSameWidgetInARow: 10,
  lifetimeMs: 30 * 24 * 3600 * 1000,
};

export interface CarriedState {
  context: ExecutionContext;
  steps: ExecutionStep[];
  seenMessageSids: string[];
  currentWidget: string;
  previousWidget: string | null;
  sameWidgetCount: number;
  startedAtMs: number;
  pendingInbound: InboundMessage[];
  ignoredInbound: IgnoredInbound[];
  teardown: TeardownState;
}

export interface IgnoredInbound {
  messageSid: string;
  widget: string | null;
  warning: '81002';
  date_created: string;
}

/** What must be undone when the execution ends (DESIGN.md decision 8). */
export interface TeardownState {
  conversationSid?: string;
  conversationServiceSid?: string;
  webhookSid?: string;
  closeConversation?: boolean;
}

/** What the `state` query answers: enough for the Executions, Context and Steps APIs. */
export interface ExecutionState {
  status: 'active' | 'ended';
  endedReason: EndedReason | null;
  endedDetail: string | null;
  currentWidget: string | null;
  context: ExecutionContext;
  steps: ExecutionStep[];
  ignoredInbound: IgnoredInbound[];
}
