// The flow definitions the benchmark runs, in Studio's export format: the three flows compared with
// their hand-written twins, one small flow per widget type (events per widget), and a generated
// 1,000-widget flow (validation speed).
import type { FlowDefinition, FlowState } from '../workflows/engine/types';
import { LOGIC_CHAIN_LENGTH, LOGIC_FINAL_TEMPLATE, SEND_ONLY_TEMPLATES, SURVEY_TEMPLATES } from './flow-texts';

type Next = Record<string, string | undefined>;

function transitions(events: string[], next: Next) {
  return events.map((event) => (next[event] ? { event, next: next[event] } : { event }));
}

export function trigger(next: string | undefined): FlowState {
  return {
    name: 'Trigger',
    type: 'trigger',
    transitions: transitions(['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'], { incomingRequest: next }),
    properties: { offset: { x: 0, y: 0 } },
  };
}

function flow(description: string, states: FlowState[]): FlowDefinition {
  return { description, states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };
}

export function sendMessage(name: string, body: string, next?: string): FlowState {
  return {
    name,
    type: 'send-message',
    transitions: transitions(['sent', 'failed'], { sent: next }),
    properties: { offset: { x: 0, y: 0 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
  };
}

function sendAndWait(name: string, body: string, next?: string): FlowState {
  return {
    name,
    type: 'send-and-wait-for-reply',
    transitions: transitions(['incomingMessage', 'timeout', 'deliveryFailure'], { incomingMessage: next }),
    properties: { offset: { x: 0, y: 0 }, from: '{{flow.channel.address}}', body, timeout: '3600' },
  };
}

function startConversation(next?: string): FlowState {
  return {
    name: 'start_conversation',
    type: 'start-conversation',
    transitions: transitions(['created', 'failed'], { created: next }),
    properties: {
      offset: { x: 0, y: 0 },
      conversation_service_sid: '',
      messaging_service_sid: '',
      unique_name: '',
      friendly_name: 'Survey {{flow.data.name}}',
      attributes: '',
      timers_inactive: '',
      timers_closed: '',
      email_binding_address: '',
      email_binding_name: '',
      close_conversation_on_execution_end: false,
      participants: [
        { type: 'messaging', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}', attributes: '', role_sid: '' },
      ],
    },
  };
}

function setVariables(name: string, variables: { key: string; value: string }[], next?: string): FlowState {
  return { name, type: 'set-variables', transitions: transitions(['next'], { next }), properties: { offset: { x: 0, y: 0 }, variables } };
}

/** A split whose every branch goes on to `next` (its cost is the decision, not where it leads). */
function split(name: string, input: string, next?: string): FlowState {
  return {
    name,
    type: 'split-based-on',
    transitions: [
      { event: 'noMatch', ...(next ? { next } : {}) },
      {
        event: 'match',
        ...(next ? { next } : {}),
        conditions: [{ friendly_name: 'large', arguments: [input], type: 'greater_than', value: '1000' }],
      },
      {
        event: 'match',
        ...(next ? { next } : {}),
        conditions: [{ friendly_name: 'is done', arguments: [input], type: 'equal_to', value: 'done' }],
      },
    ],
    properties: { offset: { x: 0, y: 0 }, input },
  };
}

/** REST trigger → three Send Message over Programmable Messaging (no Conversation). */
export function sendOnlyFlow(): FlowDefinition {
  return flow('bench: send only', [
    trigger('send_1'),
    sendMessage('send_1', SEND_ONLY_TEMPLATES[0], 'send_2'),
    sendMessage('send_2', SEND_ONLY_TEMPLATES[1], 'send_3'),
    sendMessage('send_3', SEND_ONLY_TEMPLATES[2]),
  ]);
}

/** Start Conversation → three Send & Wait For Reply → a split on the last answer → a final message. */
export function surveyFlow(): FlowDefinition {
  const [q1, q2, q3] = SURVEY_TEMPLATES.questions;
  return flow('bench: three-question survey', [
    trigger('start_conversation'),
    startConversation('q1'),
    sendAndWait('q1', q1, 'q2'),
    sendAndWait('q2', q2, 'q3'),
    sendAndWait('q3', q3, 'recommend'),
    {
      name: 'recommend',
      type: 'split-based-on',
      transitions: [
        { event: 'noMatch', next: 'thanks_no' },
        {
          event: 'match',
          next: 'thanks_yes',
          conditions: [{ friendly_name: 'yes', arguments: ['{{widgets.q3.inbound.Body}}'], type: 'matches_any_of', value: SURVEY_TEMPLATES.yesWords }],
        },
      ],
      properties: { offset: { x: 0, y: 0 }, input: '{{widgets.q3.inbound.Body}}' },
    },
    sendMessage('thanks_yes', SURVEY_TEMPLATES.recommendYes),
    sendMessage('thanks_no', SURVEY_TEMPLATES.recommendNo),
  ]);
}

/** The logic flow's set-variables: `label` reads the count before this widget raises it. */
const COUNTING_VARIABLES = [
  { key: 'label', value: '{{flow.data.name | upcase}}-{{flow.variables.count | default: 0}}' },
  { key: 'count', value: '{{flow.variables.count | default: 0 | plus: 1}}' },
];

/** REST trigger → 50 pure widgets (set-variables and split-based-on with Liquid, alternating) → one Send Message. */
export function logicFlow(): FlowDefinition {
  const names = Array.from({ length: LOGIC_CHAIN_LENGTH }, (_, index) => `logic_${index + 1}`);
  const states: FlowState[] = [trigger(names[0])];
  names.forEach((name, index) => {
    const next = names[index + 1] ?? 'report';
    states.push(index % 2 === 0 ? setVariables(name, COUNTING_VARIABLES, next) : split(name, '{{flow.variables.count}}', next));
  });
  states.push(sendMessage('report', LOGIC_FINAL_TEMPLATE));
  return flow('bench: 50 pure widgets and one send', states);
}

export interface WidgetCostFlow {
  /** The table's row. */
  widget: string;
  /** The flow with `count` widgets of the kind, and the flow it is compared with (the same without them). */
  withWidgets: FlowDefinition;
  without: FlowDefinition;
  count: number;
  /** What the device receives from each flow, and what it answers in `withWidgets`. */
  messagesWith: number;
  messagesWithout: number;
  answers: string[];
  /** Pure widgets must add no history event. */
  pure: boolean;
}

/**
 * One pair of flows per widget type: history events added per widget = (events(with) − events(without)) / count.
 * Both flows of a pair end with the same Send Message, so the device knows when the execution is done.
 * `httpUrl` answers any request with a small JSON body; `subflowSid` is a published flow with one set-variables.
 */
export function widgetCostFlows(httpUrl: string, subflowSid: string): WidgetCostFlow[] {
  const done = sendMessage('done', 'Done, {{flow.data.name}}');
  const row = (
    widget: string,
    count: number,
    make: (name: string, next: string) => FlowState,
    options: { conversation?: boolean; pure?: boolean; messagesPerWidget?: number; answersPerWidget?: number } = {},
  ): WidgetCostFlow => {
    const names = Array.from({ length: count }, (_, index) => `w_${index + 1}`);
    const widgets = names.map((name, index) => make(name, names[index + 1] ?? 'done'));
    const head = (next: string) => (options.conversation ? [trigger('start_conversation'), startConversation(next)] : [trigger(next)]);
    return {
      widget,
      withWidgets: flow(`bench: ${widget}`, [...head(names[0]), ...widgets, done]),
      without: flow(`bench: without ${widget}`, [...head('done'), done]),
      count,
      messagesWith: 1 + count * (options.messagesPerWidget ?? 0),
      messagesWithout: 1,
      answers: Array.from({ length: count * (options.answersPerWidget ?? 0) }, (_, index) => `answer ${index + 1}`),
      pure: options.pure ?? false,
    };
  };
  const sendAndWaitAll = (name: string, body: string, next: string): FlowState => {
    const state = sendAndWait(name, body, next);
    state.transitions = transitions(['incomingMessage', 'timeout', 'deliveryFailure'], { incomingMessage: next, timeout: next, deliveryFailure: next });
    return state;
  };
  const conversationOnly = flow('bench: start conversation', [trigger('start_conversation'), startConversation('done'), done]);
  return [
    row('set-variables (literal values)', 10, (name, next) => setVariables(name, [{ key: 'a', value: '1' }, { key: 'b', value: 'two' }], next), { pure: true }),
    row('set-variables (Liquid)', 10, (name, next) => setVariables(name, COUNTING_VARIABLES, next), { pure: true }),
    row('split-based-on (Liquid input)', 10, (name, next) => split(name, '{{flow.data.name | upcase}}', next), { pure: true }),
    row('send-message (Programmable Messaging)', 3, (name, next) => sendMessage(name, 'Hello {{flow.data.name}}', next), { messagesPerWidget: 1 }),
    {
      widget: 'start-conversation (and its webhook removal at the end)',
      withWidgets: conversationOnly,
      without: flow('bench: trigger and a send', [trigger('done'), done]),
      count: 1,
      messagesWith: 1,
      messagesWithout: 1,
      answers: [],
      pure: false,
    },
    row('send-message (Conversation)', 3, (name, next) => sendMessage(name, 'Hello {{flow.data.name}}', next), { conversation: true, messagesPerWidget: 1 }),
    row('send-and-wait-for-reply (answered)', 2, (name, next) => sendAndWaitAll(name, 'Question for {{flow.data.name}}?', next), {
      conversation: true,
      messagesPerWidget: 1,
      answersPerWidget: 1,
    }),
    row('make-http-request', 2, (name, next) => ({
      name,
      type: 'make-http-request',
      transitions: transitions(['success', 'failed'], { success: next, failed: next }),
      properties: { offset: { x: 0, y: 0 }, method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url: httpUrl, parameters: [] },
    })),
    row('run-subflow (child: one set-variables)', 2, (name, next) => ({
      name,
      type: 'run-subflow',
      transitions: transitions(['completed', 'failed'], { completed: next, failed: next }),
      properties: { offset: { x: 0, y: 0 }, flow_sid: subflowSid, flow_revision: 'LatestPublished', parameters: [{ key: 'name', value: '{{flow.data.name}}' }] },
    })),
  ];
}

/** The child of the run-subflow row. */
export function subflowChild(): FlowDefinition {
  return {
    description: 'bench: subflow child',
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        transitions: transitions(['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'], { incomingParent: 'child_set' }),
        properties: { offset: { x: 0, y: 0 } },
      },
      setVariables('child_set', [{ key: 'greeting', value: 'Hi {{trigger.parent.parameters.name}}' }]),
    ],
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
  };
}

/**
 * A valid flow of `size` widgets, the trigger included (Studio's limit is 1,000): a chain mixing the widget types real flows use
 * most (set-variables, split-based-on with several conditions, send-message, send-and-wait-for-reply,
 * make-http-request), every transition wired.
 */
export function generatedFlow(size: number): FlowDefinition {
  const names = Array.from({ length: size - 1 }, (_, index) => `widget_${index + 1}`);
  const states: FlowState[] = [trigger(names[0])];
  names.forEach((name, index) => {
    const next = names[index + 1];
    switch (index % 5) {
      case 0:
        states.push(setVariables(name, COUNTING_VARIABLES, next));
        break;
      case 1:
        states.push(split(name, '{{flow.variables.count}}', next));
        break;
      case 2:
        states.push(sendMessage(name, 'Step {{flow.variables.count}} for {{flow.data.name}}', next));
        break;
      case 3: {
        const state = sendAndWait(name, 'Anything to add at step {{flow.variables.count}}?', next);
        state.transitions = transitions(['incomingMessage', 'timeout', 'deliveryFailure'], { incomingMessage: next, timeout: next, deliveryFailure: next });
        states.push(state);
        break;
      }
      default:
        states.push({
          name,
          type: 'make-http-request',
          transitions: transitions(['success', 'failed'], { success: next, failed: next }),
          properties: {
            offset: { x: 0, y: 0 },
            method: 'POST',
            content_type: 'application/json;charset=utf-8',
            url: 'https://example.com/hooks/{{flow.flow_sid}}',
            body: '{"count": "{{flow.variables.count}}", "contact": "{{contact.channel.address}}"}',
          },
        });
    }
  });
  return flow(`bench: generated ${size}-widget flow`, states);
}
