// The flow validator: Studio's checks (docs/studio-reference.md §1.4), the tolerances of DESIGN.md
// decisions 11 and 13, and the folder of broken flows in test/fixtures/broken-flows, each with its
// exact expected errors (a new <name>.json + <name>.expected.json pair is picked up automatically).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FlowDefinition, FlowState } from '../../workflows/engine/types';
import { parseDefinition, reachableStates, validateDefinition, type ValidationIssue } from '../../workflows/engine/validate';
import { SPLIT_CONDITION_TYPES, WIDGET_CATALOGUE, WIDGET_TYPES } from '../../workflows/engine/widget-catalogue';

const BROKEN_FLOWS = path.resolve(__dirname, '../fixtures/broken-flows');

function trigger(next: Partial<Record<string, string>> = {}): FlowState {
  const events = ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'];
  return {
    name: 'Trigger',
    type: 'trigger',
    transitions: events.map((event) => (next[event] === undefined ? { event } : { event, next: next[event] })),
    properties: { offset: { x: 0, y: 0 } },
  };
}

function sendMessage(name: string, next?: string | null, properties: Record<string, unknown> = {}): FlowState {
  return {
    name,
    type: 'send-message',
    transitions: [next === undefined ? { event: 'sent' } : { event: 'sent', next }, { event: 'failed' }],
    properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello', ...properties },
  };
}

function flow(states: FlowState[], extra: Record<string, unknown> = {}): FlowDefinition {
  return { description: 'test', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, ...extra };
}

function messages(issues: ValidationIssue[]): string[] {
  return issues.map((issue) => issue.message);
}

describe('parseDefinition', () => {
  it('parses a JSON object', () => {
    const result = parseDefinition(JSON.stringify(flow([trigger()])));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.definition.initial_state).toBe('Trigger');
  });

  it.each([
    ['{"states": [', /not valid JSON/],
    ['', /empty/],
    ['   \n', /empty/],
    ['[]', /array found, object expected/],
    ['null', /null found, object expected/],
    ['42', /integer found, object expected/],
    [JSON.stringify(JSON.stringify({ states: [] })), /JSON-encoded twice/],
  ])('says why %j is not a definition', (text, why) => {
    const result = parseDefinition(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(why);
  });

  it('ignores a byte-order mark', () => {
    expect(parseDefinition('\uFEFF' + JSON.stringify(flow([trigger()]))).ok).toBe(true);
  });

  it('answers for a non-string handed in from untyped code', () => {
    expect(parseDefinition(undefined as unknown as string).ok).toBe(false);
  });
});

describe('validateDefinition', () => {
  it('accepts a minimal messaging flow', () => {
    expect(validateDefinition(flow([trigger({ incomingMessage: 'hello' }), sendMessage('hello')]))).toEqual({
      valid: true,
      errors: [],
      warnings: [],
    });
  });

  it('never throws, whatever it is given', () => {
    const cyclic: Record<string, unknown> = { initial_state: 'Trigger' };
    cyclic.states = [cyclic];
    const throwingGetter = flow([trigger()]);
    Object.defineProperty(throwingGetter, 'flags', { enumerable: true, get: () => { throw new Error('boom'); } });
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); }, has: () => { throw new Error('trap'); } });
    const unprintable = new Proxy({}, { get: () => { throw { toString: () => { throw new Error('again'); } }; } });
    const sparse = flow([trigger()]);
    (sparse.states as unknown[])[3] = sendMessage('late');
    const inputs: unknown[] = [
      null,
      undefined,
      0,
      'flow',
      [],
      {},
      { states: null, initial_state: null, flags: null, description: null },
      { states: 'Trigger', initial_state: 7 },
      cyclic,
      throwingGetter,
      hostile,
      unprintable,
      sparse,
      flow([{ name: '__proto__', type: 'constructor' } as FlowState, { name: 'toString', type: 'hasOwnProperty' } as FlowState]),
      flow([trigger({ incomingMessage: '\uD800' }), sendMessage('\uD800'), sendMessage('😀 name'), sendMessage('שלום')]),
      flow([trigger(), sendMessage('x'.repeat(1_000_000))]),
      flow([trigger(), { name: 'odd', type: 'split-based-on', transitions: [{ event: 'match', conditions: [null, 1, [], { type: 'regex', value: '(' }] }] } as unknown as FlowState]),
      () => undefined,
      Symbol('flow'),
      10n,
    ];
    for (const input of inputs) {
      const result = validateDefinition(input);
      expect(Array.isArray(result.errors)).toBe(true);
      expect(Array.isArray(result.warnings)).toBe(true);
      expect(result.valid).toBe(result.errors.length === 0);
      for (const issue of [...result.errors, ...result.warnings]) {
        expect(typeof issue.message).toBe('string');
        expect(issue.property_path.startsWith('#')).toBe(true);
      }
    }
  });

  it('cuts long names short in messages', () => {
    const name = 'x'.repeat(10_000);
    const result = validateDefinition(flow([trigger({ incomingMessage: name }), sendMessage('hello')]));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].message.length).toBeLessThan(300);
  });

  it('keeps unknown extra keys, ignores them, and does not touch its input', () => {
    const definition = flow(
      [
        { ...trigger({ incomingMessage: 'hello' }), uuid: 'x', sid: 'FF0' },
        { ...sendMessage('hello', null, { link_shortening: true, custom: { nested: [1] } }), color: 'blue' },
      ],
      { $schema: 'https://schemas.twilio.com/studio/draft/2019-09/flow-definition', editor: { zoom: 2 } },
    );
    const before = JSON.stringify(definition);
    expect(validateDefinition(definition)).toEqual({ valid: true, errors: [], warnings: [] });
    expect(JSON.stringify(definition)).toBe(before);
  });

  it('reads an absent, null or empty next as the end of the branch', () => {
    const definition = flow([
      trigger({ incomingMessage: 'a' }),
      sendMessage('a', 'b'),
      sendMessage('b', null),
      sendMessage('c', ''),
    ]);
    expect(validateDefinition(definition).errors).toEqual([]);
  });

  it('accepts hyphenated widget names (real exports use them)', () => {
    const result = validateDefinition(flow([trigger({ incomingMessage: 'check-support' }), sendMessage('check-support')]));
    expect(result.errors).toEqual([]);
  });

  describe('decision 13 tolerances', () => {
    it('warns, without an error, about a number where Studio wants a string', () => {
      const ask: FlowState = {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
        properties: { from: '{{flow.channel.address}}', body: 'Name?', timeout: 3600 },
      };
      const result = validateDefinition(flow([trigger({ incomingMessage: 'ask' }), ask]));
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([
        {
          message: 'Widget "ask": properties.timeout: integer found, string expected; accepted as sent (a number where Studio wants a string)',
          property_path: '#/states/1/properties/timeout',
        },
      ]);
    });

    it('accepts a regex with a leading Java inline flag, and ignores the value of blank tests', () => {
      const split: FlowState = {
        name: 'check',
        type: 'split-based-on',
        properties: { input: '{{trigger.message.Body}}' },
        transitions: [
          { event: 'noMatch' },
          { event: 'match', next: 'check', conditions: [{ friendly_name: 'yes', arguments: ['{{trigger.message.Body}}'], type: 'regex', value: '(?i)(.)*(y|yes)(.)*' }] },
          { event: 'match', next: 'check', conditions: [{ friendly_name: 'flags', arguments: ['x'], type: 'regex', value: ' (?s)(?i-m)^a.b$ ' }] },
          { event: 'match', next: 'check', conditions: [{ friendly_name: 'blank', arguments: ['{{trigger.message.Body}}'], type: 'is_blank' }] },
          { event: 'match', next: 'check', conditions: [{ friendly_name: 'set', arguments: ['{{trigger.message.Body}}'], type: 'is_not_blank', value: { odd: true } }] },
        ],
      };
      expect(validateDefinition(flow([trigger({ incomingMessage: 'check' }), split]))).toEqual({ valid: true, errors: [], warnings: [] });
    });

    it('knows all 17 condition types', () => {
      const transitions = SPLIT_CONDITION_TYPES.map((type) => ({
        event: 'match',
        next: 'check',
        conditions: [{ friendly_name: type, arguments: ['{{trigger.message.Body}}'], type, value: '1' }],
      }));
      const split: FlowState = { name: 'check', type: 'split-based-on', properties: { input: 'x' }, transitions };
      expect(SPLIT_CONDITION_TYPES).toHaveLength(17);
      expect(validateDefinition(flow([trigger(), split])).errors).toEqual([]);
    });
  });

  describe('voice-only and other unsupported widgets (decision 11)', () => {
    it('accepts them with a warning naming each', () => {
      const say: FlowState = { name: 'greeting', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { say: 'Hi', loop: 1 } };
      const autopilot: FlowState = {
        name: 'bot',
        type: 'send-to-auto-pilot',
        transitions: [{ event: 'sessionEnded' }, { event: 'failure' }, { event: 'timeout' }],
        properties: { autopilot_assistant_sid: 'UA0', from: 'x', body: 'y', timeout: 14400 },
      };
      const result = validateDefinition(flow([trigger({ incomingCall: 'greeting', incomingMessage: 'bot' }), say, autopilot]));
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([
        {
          message: 'Widget "greeting" (say-play) is voice-only: this engine runs messaging flows, not phone calls. It is accepted, but an execution that reaches it ends.',
          property_path: '#/states/1/type',
        },
        {
          message: 'Widget "bot" (send-to-auto-pilot) is not supported: Twilio Autopilot was retired in 2023. It is accepted, but an execution that reaches it ends.',
          property_path: '#/states/2/type',
        },
      ]);
    });
  });

  describe('Start Conversation (REST API only)', () => {
    const start = (name: string): FlowState => ({
      name,
      type: 'start-conversation',
      transitions: [{ event: 'created' }, { event: 'failed' }],
      properties: {
        conversation_service_sid: '',
        participants: [{ type: 'messaging', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}' }],
      },
    });

    it('is valid after incomingRequest, after incomingParent (a subflow), and when nothing leads to it', () => {
      const definition = flow([
        trigger({ incomingRequest: 'start', incomingParent: 'via_subflow' }),
        start('start'),
        start('via_subflow'),
        start('orphan'),
      ]);
      expect(validateDefinition(definition).errors).toEqual([]);
    });

    it('is an error on any path from a message, call or Conversation trigger, however long', () => {
      const definition = flow([
        trigger({ incomingRequest: 'start', incomingConversationMessage: 'first', incomingCall: 'start' }),
        sendMessage('first', 'second'),
        sendMessage('second', 'start'),
        start('start'),
      ]);
      expect(validateDefinition(definition).errors).toEqual([
        {
          message:
            'Widget "start" (start-conversation) can only be used in flows triggered by the REST API; it is reachable from the trigger\'s incomingCall or incomingConversationMessage transition',
          property_path: '#/states/3',
        },
      ]);
    });
  });

  it('accepts a Run Subflow with a static SID and a revision number', () => {
    const subflow: FlowState = {
      name: 'sub',
      type: 'run-subflow',
      transitions: [{ event: 'completed' }, { event: 'failed' }],
      properties: { flow_sid: 'FW0123456789abcdef0123456789abcdef', flow_revision: '3' },
    };
    expect(validateDefinition(flow([trigger({ incomingMessage: 'sub' }), subflow])).errors).toEqual([]);
  });

  it('accepts a Content template message without a body', () => {
    const template = sendMessage('template', undefined, { message_type: 'content_template', content_sid: 'HX0123', body: undefined });
    delete template.properties?.body;
    expect(validateDefinition(flow([trigger({ incomingMessage: 'template' }), template])).errors).toEqual([]);
  });

  it('refuses more than 1,000 widgets with one error', () => {
    const states = [trigger(), ...Array.from({ length: 1000 }, (_, index) => sendMessage(`w${index}`))];
    expect(validateDefinition(flow(states)).errors).toEqual([
      { message: 'states must contain at most 1000 widgets; found 1001', property_path: '#/states' },
    ]);
  });

  it('lists at most 100 errors and counts the rest', () => {
    const states = [trigger(), ...Array.from({ length: 300 }, (_, index) => sendMessage(`w${index}`, `missing${index}`))];
    const errors = validateDefinition(flow(states)).errors;
    expect(errors).toHaveLength(101);
    expect(errors[100]).toEqual({ message: '…and 200 more errors not listed', property_path: '#' });
  });

  it('validates a generated 1,000-widget flow (the performance goal: well under 50 ms)', () => {
    const states: FlowState[] = [trigger({ incomingMessage: 'w1' })];
    for (let index = 1; index < 1000; index++) {
      const next = index < 999 ? `w${index + 1}` : undefined;
      if (index % 3 === 0) {
        states.push({
          name: `w${index}`,
          type: 'split-based-on',
          properties: { input: '{{trigger.message.Body}}' },
          transitions: [
            { event: 'noMatch', next },
            { event: 'match', next: 'w1', conditions: [{ friendly_name: 'r', arguments: ['{{trigger.message.Body}}'], type: 'regex', value: '^(yes|y)$' }] },
          ],
        });
      } else if (index % 3 === 1) {
        states.push({
          name: `w${index}`,
          type: 'set-variables',
          transitions: [{ event: 'next', next }],
          properties: { variables: [{ key: 'count', value: '{{flow.variables.count | plus: 1}}' }] },
        });
      } else {
        states.push(sendMessage(`w${index}`, next));
      }
    }
    expect(states).toHaveLength(1000);
    expect(validateDefinition(flow(states))).toEqual({ valid: true, errors: [], warnings: [] });
  });
});

describe('reachableStates', () => {
  const definition = flow([
    trigger({ incomingMessage: 'a', incomingRequest: 'c' }),
    sendMessage('a', 'b'),
    sendMessage('b', 'a'),
    sendMessage('c', 'missing'),
    sendMessage('orphan', 'a'),
  ]);

  it('walks every transition from the initial state', () => {
    expect([...reachableStates(definition)].sort()).toEqual(['Trigger', 'a', 'b', 'c']);
  });

  it('walks from one trigger event only', () => {
    expect([...reachableStates(definition, 'incomingMessage')].sort()).toEqual(['a', 'b']);
    expect([...reachableStates(definition, 'incomingRequest')]).toEqual(['c']);
    expect(reachableStates(definition, 'incomingCall').size).toBe(0);
  });

  it('answers an empty set for a malformed definition', () => {
    expect(reachableStates(null as unknown as FlowDefinition).size).toBe(0);
    expect(reachableStates({ states: [], initial_state: 'Trigger' }).size).toBe(0);
  });
});

describe('WIDGET_CATALOGUE', () => {
  it('describes every type with its events', () => {
    expect(Object.keys(WIDGET_CATALOGUE).sort()).toEqual(WIDGET_TYPES);
    for (const [type, entry] of Object.entries(WIDGET_CATALOGUE)) {
      expect(entry.type).toBe(type);
      expect(entry.events.length).toBeGreaterThan(0);
      expect(new Set(entry.events).size).toBe(entry.events.length);
      // A voice-only widget always carries the reason its warning gives.
      if (entry.voiceOnly) expect(entry.unsupported).toBeDefined();
    }
  });

  it('spells events as Studio does', () => {
    expect(WIDGET_CATALOGUE['run-function'].events).toEqual(['success', 'fail']);
    expect(WIDGET_CATALOGUE['make-http-request'].events).toEqual(['success', 'failed']);
    expect(WIDGET_CATALOGUE['trigger'].events).toEqual([
      'incomingMessage',
      'incomingCall',
      'incomingConversationMessage',
      'incomingRequest',
      'incomingParent',
    ]);
    expect(WIDGET_CATALOGUE['send-and-wait-for-reply'].events).toEqual(['incomingMessage', 'timeout', 'deliveryFailure']);
  });

  it('has the messaging widgets this engine runs, none of them voice-only', () => {
    for (const type of ['trigger', 'send-message', 'send-and-wait-for-reply', 'split-based-on', 'set-variables', 'make-http-request', 'run-function', 'run-subflow', 'send-to-flex', 'start-conversation']) {
      expect(WIDGET_CATALOGUE[type].voiceOnly).toBe(false);
      expect(WIDGET_CATALOGUE[type].unsupported).toBeUndefined();
    }
  });
});

describe('broken flows (test/fixtures/broken-flows)', () => {
  const flows = fs
    .readdirSync(BROKEN_FLOWS)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.expected.json'))
    .sort();

  it('has at least 20 broken flows, each with its expected errors', () => {
    expect(flows.length).toBeGreaterThanOrEqual(20);
    for (const file of flows) expect(fs.existsSync(path.join(BROKEN_FLOWS, file.replace(/\.json$/, '.expected.json')))).toBe(true);
  });

  it.each(flows)('%s gives exactly its expected errors and warnings', (file) => {
    const definition: unknown = JSON.parse(fs.readFileSync(path.join(BROKEN_FLOWS, file), 'utf8'));
    const expected = JSON.parse(fs.readFileSync(path.join(BROKEN_FLOWS, file.replace(/\.json$/, '.expected.json')), 'utf8')) as {
      errors: ValidationIssue[];
      warnings?: ValidationIssue[];
    };
    const result = validateDefinition(definition);
    expect(result.errors).toEqual(expected.errors);
    expect(result.warnings).toEqual(expected.warnings ?? []);
    expect(result.valid).toBe(false);
    expect(messages(result.errors).length).toBeGreaterThan(0);
  });
});
