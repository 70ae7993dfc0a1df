// Building blocks for the Conversations integration tests (test/integration/conversations-*.test.ts):
// small flow definitions in Studio's export format, and readers for what an execution did (its state,
// the activities its workflow history records, the onMessageAdded webhooks on a Conversation).
import type { ExecutionState, FlowDefinition, FlowState, JsonObject } from '../../workflows/engine/types';
import { device, startStack, waitFor, type Device, type Stack } from './stack';

export type Transitions = Partial<Record<'incomingMessage' | 'incomingConversationMessage' | 'incomingRequest' | 'incomingParent', string>>;

/** The Trigger widget with every event Studio exports; `next` only where given. */
export function trigger(next: Transitions): FlowState {
  const events = ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'] as const;
  return {
    name: 'Trigger',
    type: 'trigger',
    transitions: events.map((event) => (next[event as keyof Transitions] ? { event, next: next[event as keyof Transitions] } : { event })),
    properties: { offset: { x: 0, y: 0 } },
  };
}

export function flow(states: FlowState[]): FlowDefinition {
  return { description: 'conversations integration test', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };
}

type Next = Record<string, string | undefined>;

function transitions(events: string[], next: Next) {
  return events.map((event) => (next[event] ? { event, next: next[event] } : { event }));
}

/** Start Conversation with DESIGN.md decision 12's flat keys; a messaging participant unless `participant` says otherwise. */
export function startConversation(name: string, next: Next, properties: Record<string, unknown> = {}, participant?: Record<string, unknown>): FlowState {
  return {
    name,
    type: 'start-conversation',
    transitions: transitions(['created', 'failed'], next),
    properties: {
      offset: { x: 0, y: 200 },
      conversation_service_sid: '',
      messaging_service_sid: '',
      unique_name: '',
      friendly_name: '',
      attributes: '',
      timers_inactive: '',
      timers_closed: '',
      email_binding_address: '',
      email_binding_name: '',
      close_conversation_on_execution_end: false,
      participants: [
        participant ?? {
          type: 'messaging',
          messaging_binding_address: '{{contact.channel.address}}',
          messaging_binding_proxy_address: '{{flow.channel.address}}',
          attributes: '',
          role_sid: '',
        },
      ],
      ...properties,
    },
  };
}

export function sendMessage(name: string, body: string, next: Next = {}): FlowState {
  return {
    name,
    type: 'send-message',
    transitions: transitions(['sent', 'failed'], next),
    properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
  };
}

export function sendAndWait(name: string, body: string, next: Next = {}, timeoutSeconds = 3600): FlowState {
  return {
    name,
    type: 'send-and-wait-for-reply',
    transitions: transitions(['incomingMessage', 'timeout', 'deliveryFailure'], next),
    properties: { offset: { x: 0, y: 600 }, from: '{{flow.channel.address}}', body, timeout: String(timeoutSeconds) },
  };
}

export function sendToFlex(name: string, next: Next = {}): FlowState {
  return {
    name,
    type: 'send-to-flex',
    transitions: transitions(['callComplete', 'failedToEnqueue', 'callFailure'], next),
    properties: {
      offset: { x: 0, y: 800 },
      workflow: 'WW00000000000000000000000000000001',
      channel: 'TC00000000000000000000000000000001',
      attributes: '{"name": "{{contact.channel.address}}"}',
      priority: '5',
      timeout: '600',
    },
  };
}

/** Publishes a flow through the Studio v2 API (the validator runs) and answers its SID. */
export async function publish(stack: Stack, friendlyName: string, definition: FlowDefinition): Promise<string> {
  const created = await stack.twilio.studio.v2.flows.create({ friendlyName, status: 'published', definition: definition as unknown as object });
  return created.sid;
}

/** What most of these tests start from: a fresh stack, a phone on its emulator, and one published flow. */
export interface StackWithFlow {
  stack: Stack;
  phone: Device;
  flowSid: string;
}

/** Starts a stack and publishes `flow(states)` on it; a stack whose flow could not be published is stopped again (no afterAll would see it). */
export async function startStackWithFlow(friendlyName: string, states: FlowState[]): Promise<StackWithFlow> {
  const stack = await startStack();
  try {
    return { stack, phone: device(stack.emulatorUrl), flowSid: await publish(stack, friendlyName, flow(states)) };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Fresh contacts `${prefix}0001`, `${prefix}0002`, ...: decision 2 allows one active execution per contact. */
export function contactSequence(prefix: string): () => string {
  let count = 0;
  return () => `${prefix}${String(++count).padStart(4, '0')}`;
}

/** Address Configuration auto-creation of type studio: a message to `address` starts (or reaches) an execution of `flowSid`. */
export async function connectAddressToFlow(stack: Stack, address: string, flowSid: string): Promise<void> {
  await stack.twilio.conversations.v1.addressConfigurations.create({
    type: 'sms',
    address,
    'autoCreation.enabled': true,
    'autoCreation.type': 'studio',
    'autoCreation.studioFlowSid': flowSid,
  });
}

/** Waits until `address` has received a message whose body is `body`, and answers it. */
export async function receivedMessage(phone: Device, address: string, body: string, what = `"${body}" on ${address}`) {
  return waitFor(async () => (await phone.received(address)).find((message) => message.body === body), what);
}

export function flowWebhookUrl(stack: Stack, flowSid: string): string {
  return `${stack.apiUrl}/v1/Accounts/${stack.config.accountSid}/Flows/${flowSid}`;
}

/** Waits until the execution has ended and answers its final state. */
export async function endedState(stack: Stack, executionSid: string): Promise<ExecutionState> {
  await waitFor(async () => (await stack.temporal.workflow.getHandle(executionSid).describe()).status.name === 'COMPLETED', `execution ${executionSid} to end`);
  return stack.service.state(executionSid);
}

/** `from-event->to` for each step, oldest first. */
export function stepPath(state: ExecutionState): string[] {
  return state.steps.map((step) => `${step.transitioned_from}-${step.name}->${step.transitioned_to}`);
}

export function widgetOutput(state: ExecutionState, widget: string): JsonObject {
  return state.context.widgets[widget] ?? {};
}

/** The activities the execution's workflow scheduled, in order, with their results when they completed. */
export async function activities(stack: Stack, executionSid: string): Promise<{ type: string; result?: unknown; failed: boolean }[]> {
  const history = await stack.temporal.workflow.getHandle(executionSid).fetchHistory();
  const scheduled = new Map<string, { type: string; result?: unknown; failed: boolean }>();
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes?.activityType?.name) scheduled.set(id, { type: attributes.activityType.name, failed: false });
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const entry = scheduled.get(String(completed.scheduledEventId));
      const payload = completed.result?.payloads?.[0]?.data;
      // A void result is an empty binary/null payload.
      if (entry && payload && payload.length > 0) entry.result = JSON.parse(Buffer.from(payload).toString('utf8'));
    }
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) {
      const entry = scheduled.get(String(failed.scheduledEventId));
      if (entry) entry.failed = true;
    }
  }
  return [...scheduled.values()];
}

export async function activityTypes(stack: Stack, executionSid: string): Promise<string[]> {
  return (await activities(stack, executionSid)).map((activity) => activity.type);
}

/** The Conversation a finished createConversation activity made (also one that was deleted since). */
export async function createdConversationSid(stack: Stack, executionSid: string): Promise<string> {
  const created = (await activities(stack, executionSid)).find((activity) => activity.type === 'createConversation' && activity.result);
  if (!created) throw new Error(`execution ${executionSid} created no Conversation`);
  return String((created.result as { sid: string }).sid);
}

/** The onMessageAdded webhooks on a Conversation, read through the real twilio client. */
export async function messageAddedWebhooks(stack: Stack, conversationSid: string, serviceSid?: string) {
  const webhooks = serviceSid
    ? await stack.twilio.conversations.v1.services(serviceSid).conversations(conversationSid).webhooks.list()
    : await stack.twilio.conversations.v1.conversations(conversationSid).webhooks.list();
  return webhooks.filter((webhook) => {
    const filters = (webhook.configuration as { filters?: string[] }).filters ?? [];
    return webhook.target === 'studio' || filters.includes('onMessageAdded');
  });
}

/** A signed request as the emulator logged it (GET /Emulator/Webhooks), newest first. */
export interface LoggedWebhook {
  url: string;
  method: 'GET' | 'POST';
  description: string;
  status: number | null;
  params: Record<string, string>;
  signature: string;
}

export async function loggedWebhooks(stack: Stack): Promise<LoggedWebhook[]> {
  const response = await fetch(`${stack.emulatorUrl}/Emulator/Webhooks`);
  return ((await response.json()) as { webhooks: LoggedWebhook[] }).webhooks;
}

/** Sends a logged webhook again, byte for byte: a duplicate delivery as Twilio makes on a retry. */
export async function replay(webhook: LoggedWebhook): Promise<Response> {
  return fetch(webhook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'X-Twilio-Signature': webhook.signature },
    body: new URLSearchParams(webhook.params),
  });
}

/** Executions of a flow, newest first, through the Studio v2 API. */
export async function executionsOf(stack: Stack, flowSid: string) {
  return stack.twilio.studio.v2.flows(flowSid).executions.list();
}
