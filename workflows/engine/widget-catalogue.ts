// Every Studio widget type a flow definition may contain, as data: the transition events it can emit,
// whether it needs a phone call, and the properties Studio's schema types or requires. The validator
// (validate.ts) reads this table; nothing here runs a widget (that is workflows/widgets/).
//
// Sources, in order of trust: the real exports in the conformance corpus (../shared/studio-flows),
// docs/studio-reference.md §1–2, Twilio's own skill notes on FlowValidate messages, and a third-party
// SDK generated from Studio's schema. Only properties with consistent evidence are typed here: an
// untyped property is never checked, so a flow exported from the real Studio is not refused because
// this table guessed wrong. Unknown extra properties are always kept and ignored (DESIGN.md decision 13).

import { CONDITION_TYPES } from './split-conditions';

/** JSON Schema's type names, as Studio's FlowValidate messages use them ("integer found, string expected"). */
export type JsonTypeName = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

export interface PropertyRule {
  type: JsonTypeName;
  /** `true`, or a test on the widget's properties for a requirement that depends on another property. */
  required?: boolean | ((properties: Readonly<Record<string, unknown>>) => boolean);
  /** Allowed values of a string property (exact match, as Studio's enumerations). */
  enum?: readonly string[];
  /** For `type: 'array'`: the rule every item follows. */
  items?: PropertyRule;
  /** For `type: 'object'`: rules for its known keys (other keys are ignored). */
  properties?: Readonly<Record<string, PropertyRule>>;
  /** For `type: 'array'`: the fewest items allowed. */
  minItems?: number;
}

export interface WidgetCatalogueEntry {
  /** The Studio `type` string, exactly as exported. */
  type: string;
  /** The widget's name in the Studio Console. */
  label: string;
  /** Every transition event the widget can emit, with Studio's JSON spelling. */
  events: readonly string[];
  /** Needs a phone call (Voice): accepted by Validate with a warning (DESIGN.md decision 11). */
  voiceOnly: boolean;
  /**
   * Why this engine cannot run the widget, when it cannot: Validate accepts it with a warning and an
   * execution that reaches it ends with this reason. Set for every voice-only widget and for the few
   * messaging widgets that need a Twilio product with no local equivalent.
   */
  unsupported?: string;
  /** Only valid in executions started by the REST API (Studio: "can only be used in flows triggered by the REST API"). */
  restApiOnly?: boolean;
  /** Rules for the widget's `properties`, by key. */
  properties: Readonly<Record<string, PropertyRule>>;
}

/** The condition types of split-based-on `match` transitions: Studio's complete enumeration (studio-reference §2.4). */
export const SPLIT_CONDITION_TYPES: readonly string[] = CONDITION_TYPES;

/** Condition types that test only whether the value is blank, so their `value` is ignored (decision 13). */
export const VALUELESS_CONDITION_TYPES: readonly string[] = ['is_blank', 'is_not_blank'];

/** The trigger's events; only `incomingRequest` (and a parent's `incomingParent`) may lead to Start/Resume Conversation. */
export const TRIGGER_EVENTS: readonly string[] = [
  'incomingMessage',
  'incomingCall',
  'incomingConversationMessage',
  'incomingRequest',
  'incomingParent',
];

const VOICE_ONLY_REASON = 'this engine runs messaging flows, not phone calls';

const OFFSET: PropertyRule = { type: 'object' };
const STRING: PropertyRule = { type: 'string' };
const REQUIRED_STRING: PropertyRule = { type: 'string', required: true };
const INTEGER: PropertyRule = { type: 'integer' };
const BOOLEAN: PropertyRule = { type: 'boolean' };

/** `[{key, value}]` as Studio writes parameters and variables; both keys are required by its schema. */
const KEY_VALUE_LIST: PropertyRule = {
  type: 'array',
  items: { type: 'object', properties: { key: REQUIRED_STRING, value: REQUIRED_STRING } },
};

const isContentTemplate = (properties: Readonly<Record<string, unknown>>): boolean =>
  properties['message_type'] === 'content_template';

/** What Send Message and Send & Wait share: the message itself, custom or a Content template. */
const MESSAGE_PROPERTIES: Readonly<Record<string, PropertyRule>> = {
  offset: OFFSET,
  from: REQUIRED_STRING,
  body: { type: 'string', required: (properties) => !isContentTemplate(properties) },
  media_url: STRING,
  service: STRING,
  channel: STRING,
  attributes: STRING,
  message_type: { type: 'string', enum: ['custom', 'content_template'] },
  content_sid: { type: 'string', required: isContentTemplate },
  content_variables: KEY_VALUE_LIST,
};

const START_CONVERSATION_PARTICIPANT: PropertyRule = {
  type: 'object',
  properties: {
    // `sms` and `whatsapp` are aliases of `messaging` (DESIGN.md decision 12).
    type: { type: 'string', required: true, enum: ['messaging', 'chat', 'sms', 'whatsapp'] },
    messaging_binding_address: STRING,
    messaging_binding_proxy_address: STRING,
    identity: STRING,
    attributes: STRING,
    role_sid: STRING,
  },
};

const ENTRIES: readonly WidgetCatalogueEntry[] = [
  // ---- Messaging and flow control: run by this engine ----
  {
    type: 'trigger',
    label: 'Trigger',
    events: TRIGGER_EVENTS,
    voiceOnly: false,
    properties: { offset: OFFSET },
  },
  {
    type: 'send-message',
    label: 'Send Message',
    events: ['sent', 'failed'],
    voiceOnly: false,
    properties: { ...MESSAGE_PROPERTIES, to: STRING },
  },
  {
    type: 'send-and-wait-for-reply',
    label: 'Send & Wait For Reply',
    events: ['incomingMessage', 'timeout', 'deliveryFailure'],
    voiceOnly: false,
    // `timeout` is a string of seconds in Studio's schema; real exports also hold numbers (decision 13).
    properties: { ...MESSAGE_PROPERTIES, to: STRING, timeout: STRING },
  },
  {
    type: 'split-based-on',
    label: 'Split Based On...',
    events: ['match', 'noMatch'],
    voiceOnly: false,
    // The conditions live on the `match` transitions; validate.ts checks them.
    properties: { offset: OFFSET, input: REQUIRED_STRING },
  },
  {
    type: 'set-variables',
    label: 'Set Variables',
    events: ['next'],
    voiceOnly: false,
    properties: {
      offset: OFFSET,
      variables: {
        type: 'array',
        items: { type: 'object', properties: { key: REQUIRED_STRING, value: REQUIRED_STRING, type: STRING } },
      },
    },
  },
  {
    type: 'make-http-request',
    label: 'Make HTTP Request',
    events: ['success', 'failed'],
    voiceOnly: false,
    properties: {
      offset: OFFSET,
      method: { type: 'string', required: true, enum: ['GET', 'POST'] },
      url: REQUIRED_STRING,
      content_type: STRING,
      body: STRING,
      parameters: KEY_VALUE_LIST,
      add_twilio_auth: BOOLEAN,
    },
  },
  {
    type: 'run-function',
    label: 'Run Function',
    // `fail`, not `failed`: Studio's own spelling for this widget.
    events: ['success', 'fail'],
    voiceOnly: false,
    properties: {
      offset: OFFSET,
      url: REQUIRED_STRING,
      service_sid: STRING,
      environment_sid: STRING,
      function_sid: STRING,
      parameters: KEY_VALUE_LIST,
    },
  },
  {
    type: 'run-subflow',
    label: 'Run Subflow',
    events: ['completed', 'failed'],
    voiceOnly: false,
    // flow_sid must also be a static FW SID and flow_revision a known revision: checked in validate.ts.
    properties: {
      offset: OFFSET,
      flow_sid: REQUIRED_STRING,
      flow_revision: REQUIRED_STRING,
      parameters: {
        type: 'array',
        items: { type: 'object', properties: { key: REQUIRED_STRING, value: REQUIRED_STRING, type: STRING } },
      },
    },
  },
  {
    type: 'send-to-flex',
    label: 'Send To Flex',
    // `composerStarted` exists in current Studio (Twilio's skill notes) though no corpus flow wires it.
    events: ['callComplete', 'failedToEnqueue', 'callFailure', 'composerStarted'],
    voiceOnly: false,
    properties: {
      offset: OFFSET,
      workflow: REQUIRED_STRING,
      channel: REQUIRED_STRING,
      attributes: STRING,
      priority: STRING,
      timeout: STRING,
      waitUrl: STRING,
      waitUrlMethod: STRING,
    },
  },
  {
    type: 'start-conversation',
    label: 'Start Conversation',
    events: ['created', 'failed'],
    voiceOnly: false,
    restApiOnly: true,
    // DESIGN.md decision 12: flat keys; empty strings mean "not set", so only participants is required.
    properties: {
      offset: OFFSET,
      conversation_service_sid: STRING,
      messaging_service_sid: STRING,
      unique_name: STRING,
      friendly_name: STRING,
      attributes: STRING,
      timers_inactive: STRING,
      timers_closed: STRING,
      email_binding_address: STRING,
      email_binding_name: STRING,
      close_conversation_on_execution_end: BOOLEAN,
      participants: { type: 'array', required: true, minItems: 1, items: START_CONVERSATION_PARTICIPANT },
    },
  },
  {
    type: 'resume-conversation',
    label: 'Resume Conversation',
    events: ['resumed', 'failed'],
    voiceOnly: false,
    restApiOnly: true,
    unsupported: 'this engine implements Start Conversation only (DESIGN.md decision 12)',
    properties: {
      offset: OFFSET,
      conversation_service_sid: STRING,
      conversation_sid: STRING,
      attributes: STRING,
      close_conversation_on_execution_end: BOOLEAN,
    },
  },
  // ---- Messaging widgets that need a Twilio product with no local equivalent ----
  {
    type: 'send-to-auto-pilot',
    label: 'Send to Autopilot',
    events: ['sessionEnded', 'failure', 'timeout'],
    voiceOnly: false,
    unsupported: 'Twilio Autopilot was retired in 2023',
    properties: {
      offset: OFFSET,
      autopilot_assistant_sid: REQUIRED_STRING,
      from: REQUIRED_STRING,
      body: REQUIRED_STRING,
      chat_channel: STRING,
      chat_service: STRING,
      chat_attributes: STRING,
      target_task: STRING,
      timeout: INTEGER,
      memory_parameters: KEY_VALUE_LIST,
    },
  },
  {
    type: 'add-twiml-redirect',
    label: 'TwiML Redirect',
    events: ['return', 'timeout', 'fail'],
    voiceOnly: false,
    unsupported: 'TwiML redirects need Twilio’s TwiML runtime',
    properties: { offset: OFFSET, url: REQUIRED_STRING, method: STRING, timeout: STRING },
  },
  {
    type: 'connect-virtual-agent-v2',
    label: 'Connect Virtual Agent',
    events: ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused', 'timeout'],
    voiceOnly: false,
    unsupported: 'it needs Twilio’s Dialogflow CX connector',
    properties: {
      offset: OFFSET,
      connector_name: STRING,
      status_callback: STRING,
      status_callback_method: STRING,
      configurations: { type: 'array' },
      parameters: { type: 'array' },
    },
  },
  // ---- Voice-only: accepted with a warning (DESIGN.md decision 11) ----
  {
    type: 'say-play',
    label: 'Say/Play',
    events: ['audioComplete'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: { offset: OFFSET, say: STRING, play: STRING, digits: STRING, voice: STRING, language: STRING, loop: INTEGER },
  },
  {
    type: 'gather-input-on-call',
    label: 'Gather Input On Call',
    events: ['keypress', 'speech', 'timeout'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    // Unlike the messaging widgets, `timeout` here is an integer in every export.
    properties: {
      offset: OFFSET,
      say: STRING,
      play: STRING,
      voice: STRING,
      language: STRING,
      hints: STRING,
      finish_on_key: STRING,
      gather_language: STRING,
      speech_timeout: STRING,
      speech_model: STRING,
      profanity_filter: STRING,
      loop: INTEGER,
      number_of_digits: INTEGER,
      timeout: INTEGER,
      stop_gather: BOOLEAN,
    },
  },
  {
    type: 'connect-call-to',
    label: 'Connect Call To',
    events: ['callCompleted', 'hangup'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: {
      offset: OFFSET,
      noun: REQUIRED_STRING,
      caller_id: REQUIRED_STRING,
      to: STRING,
      timeout: INTEGER,
      time_limit: STRING,
      record: BOOLEAN,
      sip_endpoint: STRING,
      sip_username: STRING,
      sip_password: STRING,
    },
  },
  {
    type: 'make-outgoing-call-v1',
    label: 'Make Outgoing Call (v1)',
    events: ['answered', 'busy', 'noAnswer', 'failed', 'answeredByMachine', 'hangup'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: { offset: OFFSET, from: REQUIRED_STRING, to: REQUIRED_STRING, timeout: INTEGER, record: BOOLEAN },
  },
  {
    type: 'make-outgoing-call-v2',
    label: 'Make Outgoing Call',
    events: ['answered', 'busy', 'noAnswer', 'failed'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: {
      offset: OFFSET,
      from: REQUIRED_STRING,
      to: REQUIRED_STRING,
      timeout: INTEGER,
      record: BOOLEAN,
      detect_answering_machine: BOOLEAN,
      recording_channels: STRING,
      recording_status_callback: STRING,
      trim: STRING,
      machine_detection: STRING,
      machine_detection_timeout: STRING,
      machine_detection_speech_threshold: STRING,
      machine_detection_speech_end_threshold: STRING,
      machine_detection_silence_timeout: STRING,
      send_digits: STRING,
      sip_auth_username: STRING,
      sip_auth_password: STRING,
    },
  },
  {
    type: 'record-voicemail',
    label: 'Record Voicemail',
    events: ['recordingComplete', 'noAudio', 'hangup'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: {
      offset: OFFSET,
      timeout: INTEGER,
      max_length: INTEGER,
      transcribe: BOOLEAN,
      trim: STRING,
      play_beep: STRING,
      finish_on_key: STRING,
    },
  },
  {
    type: 'record-call',
    label: 'Call Recording',
    events: ['success', 'failed'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: {
      offset: OFFSET,
      record_call: { type: 'boolean', required: true },
      recording_status_callback: STRING,
      recording_status_callback_method: STRING,
      recording_channels: STRING,
      trim: STRING,
    },
  },
  {
    type: 'enqueue-call',
    label: 'Enqueue Call',
    events: ['callComplete', 'failedToEnqueue', 'callFailure'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: { offset: OFFSET, queue_name: STRING, workflow_sid: STRING, task_attributes: STRING, wait_url: STRING, wait_url_method: STRING },
  },
  {
    type: 'capture-payments',
    label: 'Capture Payments',
    events: ['success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup', 'validationError'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    // security_code is a real boolean but postal_code the string "true"/"false": Studio's per-property quirk.
    properties: {
      offset: OFFSET,
      security_code: BOOLEAN,
      postal_code: STRING,
      max_attempts: INTEGER,
      timeout: INTEGER,
      payment_connector: STRING,
      payment_amount: STRING,
      currency: STRING,
      language: STRING,
      payment_token_type: STRING,
      payment_method: STRING,
      valid_card_types: { type: 'array', items: STRING },
    },
  },
  {
    type: 'fork-stream',
    label: 'Fork Stream',
    events: ['next'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: {
      offset: OFFSET,
      stream_action: { type: 'string', required: true, enum: ['start', 'stop'] },
      stream_name: STRING,
      stream_transport_type: STRING,
      stream_url: STRING,
      stream_track: STRING,
    },
  },
  {
    type: 'run-conversation-relay',
    label: 'ConversationRelay',
    events: ['success', 'failed'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: { offset: OFFSET, url: STRING, interruptible: STRING },
  },
  {
    type: 'connect-virtual-agent',
    label: 'Connect Virtual Agent (v1)',
    events: ['return', 'hangup'],
    voiceOnly: true,
    unsupported: VOICE_ONLY_REASON,
    properties: { offset: OFFSET, connector: STRING, language: STRING, sentiment_analysis: STRING, status_callback: STRING },
  },
];

/** The catalogue, keyed by Studio `type`. An explicit table (not self-registration) so tests can iterate it. */
export const WIDGET_CATALOGUE: Readonly<Record<string, WidgetCatalogueEntry>> = Object.freeze(
  Object.fromEntries(ENTRIES.map((entry) => [entry.type, entry])),
);

/** The known widget types, sorted: the enumeration an unknown `type` is reported against. */
export const WIDGET_TYPES: readonly string[] = ENTRIES.map((entry) => entry.type).sort();

/** The catalogue entry for a type, or undefined (an own-property lookup: `constructor` is not a widget). */
export function catalogueEntry(type: string): WidgetCatalogueEntry | undefined {
  return Object.prototype.hasOwnProperty.call(WIDGET_CATALOGUE, type) ? WIDGET_CATALOGUE[type] : undefined;
}
