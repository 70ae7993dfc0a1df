// set-variables driven directly with a context object; no Temporal. The widget renders with its
// own Liquid engine (later pairs see earlier ones), so the step's `render` is a fake that must not
// be needed. Golden cases: test/fixtures/widgets/set-variables.json.
import fixtures from '../fixtures/widgets/set-variables.json';
import type { Effects } from '../../workflows/engine/effects';
import { createTemplateEngine } from '../../workflows/engine/liquid';
import type { ExecutionContext, FlowState, JsonObject } from '../../workflows/engine/types';
import type { WidgetDefinition, WidgetOutcome } from '../../workflows/engine/widget';
import { computeVariables, createSetVariablesWidget, setVariablesWidget } from '../../workflows/widgets/set-variables';

const noEffects = new Proxy({} as Effects, {
  get(_target, property) {
    throw new Error(`set-variables must not use effects.${String(property)}`);
  },
});

const unusedRender = (template: unknown): string => {
  throw new Error(`set-variables rendered ${String(template)} through the step's render`);
};

function makeContext(variables: JsonObject = {}, data: JsonObject = {}): ExecutionContext {
  return {
    flow: { flow_sid: 'FW1', sid: 'FN1', channel: { address: '+15550000000' }, data, variables },
    contact: { channel: { address: '+15551234567' } },
    trigger: {},
    widgets: {},
  };
}

function state(variables: unknown[], name = 'set_vars'): FlowState {
  return { name, type: 'set-variables', properties: { variables }, transitions: [{ event: 'next', next: null }] };
}

async function run(flowState: FlowState, context: ExecutionContext, widget: WidgetDefinition = setVariablesWidget): Promise<WidgetOutcome> {
  return widget.run({ state: flowState, context, render: unusedRender, executionSid: 'FN1', stepSid: 'FT1' }, noEffects);
}

describe('set-variables', () => {
  test('declares its type and event', () => {
    expect(setVariablesWidget.type).toBe('set-variables');
    expect([...setVariablesWidget.events]).toEqual(['next']);
  });

  test('sets flow.variables and mirrors them in widgets.<name>', async () => {
    const outcome = await run(state([{ key: 'greeting', value: 'Hi {{flow.data.name}}' }]), makeContext({}, { name: 'Ann' }));
    expect(outcome).toEqual({ event: 'next', variables: { greeting: 'Hi Ann' }, output: { greeting: 'Hi Ann' } });
  });

  test('the mirror is a copy, not the same objects', async () => {
    const outcome = await run(state([{ key: 'obj', value: '{"a":1}', parse_as_json: true }]), makeContext());
    expect(outcome.output).toEqual(outcome.variables);
    expect(outcome.output?.obj).not.toBe(outcome.variables?.obj);
  });

  describe('number coercion', () => {
    test.each([
      ['42', 42],
      ['-1.5', -1.5],
      ['0', 0],
      ['1e3', 1000],
      [' 7 ', 7],
      ['9007199254740991', 9007199254740991],
      ['12345678901234567890', '12345678901234567890'],
      ['007', '007'],
      ['+15551234567', '+15551234567'],
      ['1,000', '1,000'],
      ['1.', '1.'],
      ['.5', '.5'],
      ['NaN', 'NaN'],
      ['Infinity', 'Infinity'],
      ['true', 'true'],
      ['false', 'false'],
      ['null', 'null'],
      ['', ''],
      ['"1"', '1'],
      ['"{{flow.data.zip}}"', '02139'],
      ['"{{flow.data.count}}"', '5'],
      ['{{flow.data.count}}', 5],
      ['{{flow.data.count | plus: 1}}', 6],
      ['"{{ flow.data.missing | default: "none" }}"', 'none'],
      ['"a" and "b"', '"a" and "b"'],
      ['say "hi"', 'say "hi"'],
      ['"', '"'],
    ])('%j → %j', async (value, expected) => {
      const outcome = await run(state([{ key: 'v', value, type: 'string' }]), makeContext({}, { zip: '02139', count: '5' }));
      expect(outcome.variables).toEqual({ v: expected });
    });

    test('quotes in rendered data are data: a contact typing "1" keeps the quotes', async () => {
      const context = makeContext();
      context.trigger.message = { Body: '"1"' };
      const outcome = await run(state([{ key: 'reply', value: '{{trigger.message.Body}}' }]), context);
      expect(outcome.variables).toEqual({ reply: '"1"' });
    });

    test('non-string JSON values are kept as they are; null becomes empty', async () => {
      const outcome = await run(
        state([
          { key: 'n', value: 3600 },
          { key: 'b', value: true },
          { key: 'o', value: { a: ['{{x}}'] } },
          { key: 'z', value: null },
          { key: 'u' },
        ]),
        makeContext(),
      );
      expect(outcome.variables).toEqual({ n: 3600, b: true, o: { a: ['{{x}}'] }, z: '', u: '' });
    });
  });

  describe('Parse as JSON object', () => {
    test.each([
      [{ parse_as_json: true }, '{"a":{"b":[1,2]}}', { a: { b: [1, 2] } }],
      [{ parse_as_json: 'true' }, '[1,"x"]', [1, 'x']],
      [{ type: 'json' }, '42', 42],
      [{ type: 'JSON' }, '"quoted"', 'quoted'],
      [{ type: 'json' }, '{"name":"{{flow.data.name}}"}', { name: 'Ann' }],
      [{ type: 'json' }, '{{flow.data.raw}}', { id: 7 }],
    ])('%j %s', async (flags, value, expected) => {
      const outcome = await run(state([{ key: 'v', value, ...flags }]), makeContext({}, { name: 'Ann', raw: '{"id":7}' }));
      expect(outcome.variables).toEqual({ v: expected });
      expect(outcome.warnings).toBeUndefined();
    });

    test('a parse failure keeps the rendered string with warning 81027', async () => {
      const outcome = await run(state([{ key: 'v', value: '{"a": {{flow.data.missing}} }', parse_as_json: true }]), makeContext());
      expect(outcome.variables).toEqual({ v: '{"a":  }' });
      expect(outcome.warnings).toEqual([{ code: '81027', message: expect.stringMatching(/^Error parsing type/) }]);
    });

    test('parsed members are reachable by later pairs', async () => {
      const outcome = await run(
        state([
          { key: 'obj', value: '{"field": "x"}', parse_as_json: true },
          { key: 'field', value: '{{flow.variables.obj.field}}' },
        ]),
        makeContext(),
      );
      expect(outcome.variables).toEqual({ obj: { field: 'x' }, field: 'x' });
    });
  });

  describe('order', () => {
    test('later pairs see earlier pairs; the same key may be set twice', async () => {
      const outcome = await run(
        state([
          { key: 'count', value: '{{flow.variables.count | plus: 1}}' },
          { key: 'count', value: '{{flow.variables.count | times: 10}}' },
          { key: 'label', value: 'n={{flow.variables.count}} w={{widgets.set_vars.count}}' },
        ]),
        makeContext({ count: 1 }),
      );
      expect(outcome.variables).toEqual({ count: 20, label: 'n=20 w=20' });
    });

    test('the context passed in is not changed', async () => {
      const context = makeContext({ count: 1 });
      const before = JSON.stringify(context);
      await run(state([{ key: 'count', value: '9' }, { key: 'other', value: 'x' }]), context);
      expect(JSON.stringify(context)).toBe(before);
    });

    test('keys are case-sensitive', async () => {
      const outcome = await run(state([{ key: 'Name', value: 'a' }, { key: 'name', value: 'b' }]), makeContext());
      expect(outcome.variables).toEqual({ Name: 'a', name: 'b' });
    });
  });

  describe('malformed pairs', () => {
    test('pairs without a usable key are skipped; a number key is its text', async () => {
      const outcome = await run(
        state([null, 'x', { value: 'no key' }, { key: '', value: 'empty' }, { key: { a: 1 }, value: 'object' }, { key: 7, value: 'seven' }]),
        makeContext(),
      );
      expect(outcome.variables).toEqual({ '7': 'seven' });
    });

    test('no variables property sets nothing', async () => {
      const outcome = await run({ name: 's', type: 'set-variables' }, makeContext());
      expect(outcome).toEqual({ event: 'next', variables: {}, output: {} });
    });

    test('a "__proto__" key is stored as a variable, not as a prototype', async () => {
      const { variables } = computeVariables(state([{ key: '__proto__', value: '{"polluted": true}', parse_as_json: true }]), makeContext(), createTemplateEngine());
      expect(Object.getPrototypeOf(variables)).toBe(Object.prototype);
      expect(Object.keys(variables)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  test('a shared, configured engine can be given (time zone)', async () => {
    const utcWidget = createSetVariablesWidget(createTemplateEngine({ timezone: 'UTC' }));
    const flowState = state([{ key: 'at', value: '{{ "2024-03-10T15:30:00Z" | date: "%H:%M" }}' }]);
    expect((await run(flowState, makeContext(), utcWidget)).variables).toEqual({ at: '15:30' });
    expect((await run(flowState, makeContext())).variables).toEqual({ at: '08:30' });
  });

  describe('golden fixture', () => {
    interface SetVariablesFixture {
      name: string;
      state: FlowState;
      context: ExecutionContext;
      expected: { event: string; variables?: JsonObject; output?: JsonObject; warnings?: string[] };
    }

    test.each((fixtures as unknown as SetVariablesFixture[]).map((fixture) => [fixture.name, fixture] as const))('%s', async (_name, fixture) => {
      const outcome = await run(fixture.state, fixture.context);
      expect(outcome.event).toBe(fixture.expected.event);
      if (fixture.expected.variables) expect(outcome.variables).toEqual(fixture.expected.variables);
      if (fixture.expected.output) expect(outcome.output).toEqual(fixture.expected.output);
      expect((outcome.warnings ?? []).map((warning) => warning.code)).toEqual(fixture.expected.warnings ?? []);
    });
  });
});
