// split-based-on driven directly: a plain fake `render` for the unit cases, the real Liquid engine
// for the golden fixture (test/fixtures/widgets/split-based-on.json). No Temporal.
import fixtures from '../fixtures/widgets/split-based-on.json';
import type { Effects } from '../../workflows/engine/effects';
import { createTemplateEngine, renderPropertyText } from '../../workflows/engine/liquid';
import type { ExecutionContext, FlowState, FlowTransition } from '../../workflows/engine/types';
import type { WidgetOutcome } from '../../workflows/engine/widget';
import { chooseSplitTransition, splitBasedOnWidget } from '../../workflows/widgets/split-based-on';

// The widget never touches the world; any call is a bug.
const noEffects = new Proxy({} as Effects, {
  get(_target, property) {
    throw new Error(`split-based-on must not use effects.${String(property)}`);
  },
});

const baseContext: ExecutionContext = {
  flow: { flow_sid: 'FW1', sid: 'FN1', channel: { address: '+15550000000' }, data: {}, variables: {} },
  contact: { channel: { address: '+15551234567' } },
  trigger: {},
  widgets: {},
};

/** A fake render: `{{a.b.c}}` is looked up in `values`, anything else comes back as written. */
function fakeRender(values: Record<string, string>) {
  const calls: unknown[] = [];
  const render = (template: unknown): string => {
    calls.push(template);
    if (typeof template !== 'string') return template === undefined || template === null ? '' : String(template);
    return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_match, path: string) => values[path] ?? '');
  };
  return { render, calls };
}

function split(transitions: FlowTransition[], input = '{{reply}}'): FlowState {
  return { name: 'split_1', type: 'split-based-on', properties: { input }, transitions };
}

const match = (type: string, value: unknown, argumentsList?: string[]): FlowTransition => ({
  event: 'match',
  next: `when_${type}`,
  conditions: [{ friendly_name: `If value ${type} ${String(value)}`, ...(argumentsList ? { arguments: argumentsList } : {}), type, value }],
});

async function runWidget(state: FlowState, render: (template: unknown) => string): Promise<WidgetOutcome> {
  return splitBasedOnWidget.run({ state, context: baseContext, render, executionSid: 'FN1', stepSid: 'FT1' }, noEffects);
}

describe('split-based-on', () => {
  test('declares its type and events', () => {
    expect(splitBasedOnWidget.type).toBe('split-based-on');
    expect([...splitBasedOnWidget.events]).toEqual(['match', 'noMatch']);
  });

  test('a match returns the index of the matching transition and writes nothing', async () => {
    const { render } = fakeRender({ reply: ' YES ' });
    const state = split([{ event: 'noMatch', next: 'other' }, match('matches_any_of', 'yes,yeah,yup', ['{{reply}}'])]);
    expect(await runWidget(state, render)).toEqual({ event: 'match', transitionIndex: 1, output: {} });
  });

  test('no match gives noMatch without an index', async () => {
    const { render } = fakeRender({ reply: 'maybe' });
    const state = split([match('equal_to', 'yes'), { event: 'noMatch', next: 'other' }]);
    expect(await runWidget(state, render)).toEqual({ event: 'noMatch', output: {} });
    expect(chooseSplitTransition(state, render)).toEqual({ event: 'noMatch', transitionIndex: null });
  });

  test('transitions are tried in array order and the first match wins', () => {
    const { render } = fakeRender({ reply: 'pizza please' });
    const state = split([
      { event: 'noMatch', next: 'x' },
      match('equal_to', 'pizza'),
      match('contains', 'pizza'),
      match('starts_with', 'pizza'),
    ]);
    expect(chooseSplitTransition(state, render)).toEqual({ event: 'match', transitionIndex: 2 });
  });

  test('conditions of one transition are ANDed', () => {
    const { render } = fakeRender({ n: '250' });
    const both = (low: string, high: string): FlowTransition => ({
      event: 'match',
      next: 'range',
      conditions: [
        { type: 'greater_than', value: low, arguments: ['{{n}}'] },
        { type: 'less_than', value: high, arguments: ['{{n}}'] },
      ],
    });
    expect(chooseSplitTransition(split([both('300', '400'), both('200', '300')]), render)).toEqual({ event: 'match', transitionIndex: 1 });
  });

  test('arguments[0] is the tested value; properties.input when arguments are absent, empty or blank', () => {
    const { render } = fakeRender({ reply: 'from input', other: 'from argument' });
    const withArgument = split([match('equal_to', 'from argument', ['{{other}}'])]);
    expect(chooseSplitTransition(withArgument, render).event).toBe('match');
    for (const argumentsList of [undefined, [], ['']]) {
      const state = split([match('equal_to', 'from input', argumentsList)]);
      expect(chooseSplitTransition(state, render).event).toBe('match');
    }
  });

  test('a string condition value is rendered; other JSON values are compared as text', () => {
    const { render } = fakeRender({ reply: '42', expected: '42' });
    expect(chooseSplitTransition(split([match('equal_to', '{{expected}}')]), render).event).toBe('match');
    expect(chooseSplitTransition(split([match('equal_to', 42)]), render).event).toBe('match');
    expect(chooseSplitTransition(split([match('less_than', 100)]), render).event).toBe('match');
  });

  test('is_blank ignores its value and never renders it', () => {
    const { render, calls } = fakeRender({ reply: '   ' });
    const state = split([match('is_blank', '{{broken')]);
    expect(chooseSplitTransition(state, render).event).toBe('match');
    expect(calls).toEqual(['{{reply}}']);
  });

  test('each distinct template renders once per step, and rendering stops at the decision', () => {
    const { render, calls } = fakeRender({ reply: 'b' });
    const state = split([match('equal_to', 'a'), match('equal_to', 'b'), match('equal_to', '{{never}}')]);
    expect(chooseSplitTransition(state, render)).toEqual({ event: 'match', transitionIndex: 1 });
    expect(calls).toEqual(['{{reply}}', 'a', 'b']);
  });

  test('a match transition without conditions never matches; malformed conditions never hold', () => {
    const { render } = fakeRender({ reply: 'x' });
    const state = split([
      { event: 'match', next: 'empty', conditions: [] },
      { event: 'match', next: 'absent' },
      { event: 'match', next: 'broken', conditions: [null, { value: 'x' }] as unknown as FlowTransition['conditions'] },
      { event: 'match', next: 'unknown', conditions: [{ type: 'has_any_value', value: '' }] },
      match('is_not_blank', null),
    ]);
    expect(chooseSplitTransition(state, render)).toEqual({ event: 'match', transitionIndex: 4 });
  });

  test('a state without transitions or properties is noMatch', () => {
    const { render } = fakeRender({});
    expect(chooseSplitTransition({ name: 's', type: 'split-based-on' }, render)).toEqual({ event: 'noMatch', transitionIndex: null });
  });

  describe('golden fixture (real Liquid)', () => {
    interface SplitFixture {
      name: string;
      state: FlowState;
      context: ExecutionContext;
      expected: { event: string; transitionIndex?: number; output?: Record<string, unknown> };
    }
    const engine = createTemplateEngine();

    test.each((fixtures as unknown as SplitFixture[]).map((fixture) => [fixture.name, fixture] as const))('%s', async (_name, fixture) => {
      const warnings: unknown[] = [];
      const render = (template: unknown): string => {
        const result = renderPropertyText(engine, template, fixture.context);
        if (result.warning) warnings.push(result.warning);
        return result.output;
      };
      const outcome = await splitBasedOnWidget.run(
        { state: fixture.state, context: fixture.context, render, executionSid: 'FN1', stepSid: 'FT1' },
        noEffects,
      );
      expect(outcome.event).toBe(fixture.expected.event);
      expect(outcome.transitionIndex).toBe(fixture.expected.transitionIndex);
      if (fixture.expected.output) expect(outcome.output).toEqual(fixture.expected.output);
      expect(warnings).toEqual([]);
      if (outcome.transitionIndex !== undefined) expect(fixture.state.transitions?.[outcome.transitionIndex].event).toBe('match');
    });
  });
});
