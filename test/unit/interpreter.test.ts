// The run loop without Temporal: steps in Studio's shape, the context, limits (decision 9),
// unsupported widgets (decision 11), and the hand-over to continue-as-new.
import { Interpreter, type RuntimePort } from '../../workflows/engine/interpreter';
import { createTemplateEngine } from '../../workflows/engine/liquid';
import type { CarriedState, FlowDefinition, FlowState, StudioExecutionInput } from '../../workflows/engine/types';
import { WIDGETS } from '../../workflows/widgets/registry';
import { fakeEffects } from '../support/fake-effects';
import { fakeRuntime } from '../support/fake-runtime';

const trigger = (next: string, event = 'incomingRequest'): FlowState => ({
  name: 'Trigger',
  type: 'trigger',
  transitions: [{ event, next }],
  properties: { offset: { x: 0, y: 0 } },
});

function input(states: FlowState[], overrides: Partial<StudioExecutionInput> = {}): StudioExecutionInput {
  const definition: FlowDefinition = { description: 'test', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };
  return {
    accountSid: 'AC00000000000000000000000000000000',
    executionSid: 'FN00000000000000000000000000000001',
    flowSid: 'FW00000000000000000000000000000001',
    flowRevision: 1,
    definition,
    trigger: { type: 'incomingRequest', to: '+15551234567', from: '+15550000000', parameters: { name: 'Ann' }, requestSid: 'RQ1' },
    ...overrides,
  };
}

function runtime(overrides: Partial<RuntimePort> = {}): RuntimePort & { now: number } {
  return fakeRuntime({}, overrides);
}

const setCounter: FlowState = {
  name: 'count',
  type: 'set-variables',
  transitions: [{ event: 'next', next: 'check' }],
  properties: { variables: [{ key: 'count', value: '{% if flow.variables.count %}{{flow.variables.count | plus: 1}}{% else %}1{% endif %}' }] },
};
const loopUntil = (limit: number): FlowState => ({
  name: 'check',
  type: 'split-based-on',
  properties: { input: '{{flow.variables.count}}' },
  transitions: [
    { event: 'noMatch', next: 'count' },
    { event: 'match', conditions: [{ type: 'greater_than', arguments: ['{{flow.variables.count}}'], value: String(limit), friendly_name: '' }] },
  ],
});

describe('Interpreter', () => {
  it('records Studio steps and sets widget variables at the end of each step', async () => {
    const { effects } = fakeEffects();
    const interpreter = new Interpreter(input([trigger('count'), setCounter, loopUntil(2)]), WIDGETS, effects, createTemplateEngine(), runtime());
    const result = await interpreter.run();
    expect(result.reason).toBe('FLOW_END');
    expect(interpreter.context.flow.variables).toEqual({ count: 3 });
    expect(interpreter.context.flow.data).toEqual({ name: 'Ann' });
    expect(interpreter.context.contact.channel.address).toBe('+15551234567');
    expect(interpreter.steps.map((step) => [step.transitioned_from, step.name, step.transitioned_to, step.type])).toEqual([
      ['Trigger', 'incomingRequest', 'count', 'trigger'],
      ['count', 'next', 'check', 'set-variables'],
      ['check', 'noMatch', 'count', 'split-based-on'],
      ['count', 'next', 'check', 'set-variables'],
      ['check', 'noMatch', 'count', 'split-based-on'],
      ['count', 'next', 'check', 'set-variables'],
      ['check', 'match', 'Ended', 'split-based-on'],
    ]);
    for (const step of interpreter.steps) expect(step.sid).toMatch(/^FT[0-9a-f]{32}$/);
  });

  it('ends at 1,000 steps with reason MAX_STEPS (81000)', async () => {
    const { effects } = fakeEffects();
    const interpreter = new Interpreter(input([trigger('count'), setCounter, loopUntil(100000)]), WIDGETS, effects, createTemplateEngine(), runtime());
    const result = await interpreter.run();
    expect(result.reason).toBe('MAX_STEPS');
    expect(result.detail).toContain('81000');
    expect(interpreter.steps).toHaveLength(1000);
  });

  it('ends when the same widget runs more than 10 times in a row (81001)', async () => {
    const self: FlowState = { name: 'again', type: 'set-variables', transitions: [{ event: 'next', next: 'again' }], properties: { variables: [] } };
    const { effects } = fakeEffects();
    const interpreter = new Interpreter(input([trigger('again'), self]), WIDGETS, effects, createTemplateEngine(), runtime());
    const result = await interpreter.run();
    expect(result.reason).toBe('WIDGET_LOOP');
    expect(interpreter.steps.filter((step) => step.transitioned_from === 'again')).toHaveLength(10);
  });

  it('ends after 30 days', async () => {
    const clock = runtime();
    const ask: FlowState = {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout', next: 'ask' }, { event: 'deliveryFailure' }],
      properties: { from: '+15550000000', body: 'Still there?', timeout: '864000' },
    };
    const sent = { ok: true, message: { Sid: 'SM1' } };
    const { effects } = fakeEffects({ sendMessage: [sent, sent, sent, sent], waitForReply: [{ kind: 'timeout' }, { kind: 'timeout' }, { kind: 'timeout' }, { kind: 'timeout' }] });
    // Each 10-day wait moves the fake clock on by 10 days.
    const waitForReply = effects.waitForReply;
    effects.waitForReply = async (options) => {
      clock.now += options.timeoutSeconds * 1000;
      return waitForReply(options);
    };
    const interpreter = new Interpreter(input([trigger('ask'), ask]), WIDGETS, effects, createTemplateEngine(), clock);
    const result = await interpreter.run();
    expect(result.reason).toBe('LIFETIME');
    expect(interpreter.steps.filter((step) => step.transitioned_from === 'ask')).toHaveLength(3);
  });

  it('ends with UNSUPPORTED_WIDGET at a voice-only widget', async () => {
    const say: FlowState = { name: 'say', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { say: 'hello' } };
    const { effects } = fakeEffects();
    const result = await new Interpreter(input([trigger('say'), say]), WIDGETS, effects, createTemplateEngine(), runtime()).run();
    expect(result).toMatchObject({ reason: 'UNSUPPORTED_WIDGET' });
    expect(result.detail).toContain('say-play');
  });

  it('records 81005 when a split matches nothing and noMatch has no next', async () => {
    const split: FlowState = {
      name: 'split',
      type: 'split-based-on',
      properties: { input: 'x' },
      transitions: [{ event: 'noMatch' }, { event: 'match', next: 'nowhere', conditions: [{ type: 'equal_to', arguments: ['x'], value: 'y', friendly_name: '' }] }],
    };
    const { effects } = fakeEffects();
    const interpreter = new Interpreter(input([trigger('split'), split]), WIDGETS, effects, createTemplateEngine(), runtime());
    await interpreter.run();
    expect(interpreter.steps[1].context.warnings).toEqual([{ code: '81005', message: 'Failed to transition because no match was found' }]);
  });

  it('runs pure widgets one after another without a promise, and waits only at a widget with effects', async () => {
    // In the workflow sandbox every promise costs a stack trace; pure widgets (set-variables, split) must not create any.
    const [noMatch, match] = loopUntil(2).transitions ?? [];
    const check: FlowState = { ...loopUntil(2), transitions: [noMatch, { ...match, next: 'report' }] };
    const report: FlowState = {
      name: 'report',
      type: 'send-message',
      transitions: [{ event: 'sent' }, { event: 'failed' }],
      properties: { to: '+15550000000', body: 'Count {{flow.variables.count}}' },
    };
    const { effects, calls } = fakeEffects({ sendMessage: [{ ok: true, message: { Sid: 'SM1' } }] });
    const interpreter = new Interpreter(input([trigger('count'), setCounter, check, report]), WIDGETS, effects, createTemplateEngine(), runtime());
    const running = interpreter.run();
    // Nothing has been awaited yet: the six pure steps are recorded and the send is under way.
    expect(interpreter.steps.map((step) => step.transitioned_from)).toEqual(['Trigger', 'count', 'check', 'count', 'check', 'count', 'check']);
    expect(interpreter.currentWidget).toBe('report');
    expect(calls).toMatchObject([{ method: 'sendMessage', request: { body: 'Count 3' } }]);
    expect(await running).toMatchObject({ reason: 'FLOW_END' });
    expect(interpreter.steps.map((step) => [step.transitioned_from, step.name])).toContainEqual(['report', 'sent']);
  });

  it('hands its whole state to continue-as-new between widgets and resumes invisibly', async () => {
    let carried: CarriedState | undefined;
    const handOver = runtime({
      shouldContinueAsNew: () => carried === undefined,
      continueAsNew: async (state) => {
        carried = JSON.parse(JSON.stringify(state)) as CarriedState;
        throw new Error('continued as new');
      },
    });
    const states = [trigger('count'), setCounter, loopUntil(2)];
    const { effects } = fakeEffects();
    await expect(new Interpreter(input(states), WIDGETS, effects, createTemplateEngine(), handOver).run()).rejects.toThrow('continued as new');
    expect(carried?.currentWidget).toBe('count');
    const resumed = new Interpreter(input(states, { carried }), WIDGETS, effects, createTemplateEngine(), runtime());
    const result = await resumed.run();
    expect(result.reason).toBe('FLOW_END');
    expect(resumed.steps).toHaveLength(7);
    expect(resumed.context.flow.variables).toEqual({ count: 3 });
  });
});
