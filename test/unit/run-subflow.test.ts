// Subflows in the run loop (DESIGN.md decision 6): the child runs inside the same execution, its steps
// join the execution's steps under the Run Subflow step and count toward its limits, parameters go
// in as trigger.parent.parameters, Set Variables values come back as widgets.<run_subflow>.<key>, a
// channel the child creates becomes the execution's, and there is one nesting level.
import { Interpreter, type RuntimePort } from '../../workflows/engine/interpreter';
import { createTemplateEngine } from '../../workflows/engine/liquid';
import type { CarriedState, FlowDefinition, FlowState, StudioExecutionInput } from '../../workflows/engine/types';
import { WIDGETS } from '../../workflows/widgets/registry';
import { fakeEffects, type ScriptedEffects } from '../support/fake-effects';
import { fakeRuntime } from '../support/fake-runtime';

const PARENT_SID = 'FW00000000000000000000000000000001';
const CHILD_SID = 'FW00000000000000000000000000000002';
const SENT = { ok: true, message: { Sid: 'SM1' } };

const trigger = (event: string, next: string | null): FlowState => ({ name: 'Trigger', type: 'trigger', transitions: [{ event, next }], properties: { offset: { x: 0, y: 0 } } });
const definition = (states: FlowState[]): FlowDefinition => ({ description: 'test', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } });
const send = (name: string, body: string, next: string | null = null): FlowState => ({
  name,
  type: 'send-message',
  transitions: [{ event: 'sent', next }, { event: 'failed' }],
  properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
});
const runSubflow = (next: string | null, failedNext: string | null = null): FlowState => ({
  name: 'sub',
  type: 'run-subflow',
  transitions: [
    { event: 'completed', next },
    { event: 'failed', next: failedNext },
  ],
  properties: { flow_sid: CHILD_SID, flow_revision: 'LatestPublished', parameters: [{ key: 'name', value: '{{flow.data.name}}' }] },
});

function input(states: FlowState[], overrides: Partial<StudioExecutionInput> = {}): StudioExecutionInput {
  return {
    accountSid: 'AC00000000000000000000000000000000',
    executionSid: 'FN00000000000000000000000000000001',
    flowSid: PARENT_SID,
    flowRevision: 1,
    definition: definition(states),
    trigger: { type: 'incomingRequest', to: '+15551234567', from: '+15550000000', parameters: { name: 'Ann' }, requestSid: 'RQ1' },
    ...overrides,
  };
}

function runtime(overrides: Partial<RuntimePort> = {}): RuntimePort {
  return fakeRuntime({ tickMs: 1000 }, overrides);
}

function withChild(child: FlowState[], script: ScriptedEffects = {}) {
  return fakeEffects({ fetchFlowRevision: [{ ok: true, revision: 7, valid: true, definition: definition(child) }], ...script });
}

const summary = (interpreter: Interpreter) => interpreter.steps.map((step) => [step.transitioned_from, step.name, step.transitioned_to, step.parent_step_sid]);

describe('Run Subflow in the interpreter', () => {
  it('runs the child inside the execution: steps under the Run Subflow step, parameters in, variables out', async () => {
    const child = [
      trigger('incomingParent', 'set'),
      {
        name: 'set',
        type: 'set-variables',
        transitions: [{ event: 'next', next: 'hello' }],
        properties: {
          variables: [
            { key: 'greeting', value: 'Hello {{trigger.parent.parameters.name}}' },
            { key: 'asked_by', value: '{{trigger.request.to}} via {{trigger.parent.flow_sid}}' },
          ],
        },
      },
      send('hello', 'Hi {{trigger.parent.parameters.name}} from {{flow.flow_sid}}'),
    ];
    const { effects, calls } = withChild(child, { sendMessage: [SENT, SENT] });
    const parent = [trigger('incomingRequest', 'sub'), runSubflow('done'), send('done', 'Done: {{widgets.sub.greeting}}')];
    const interpreter = new Interpreter(input(parent), WIDGETS, effects, createTemplateEngine(), runtime());

    const result = await interpreter.run();

    expect(result.reason).toBe('FLOW_END');
    const subStep = interpreter.steps.find((step) => step.transitioned_from === 'sub')!;
    expect(summary(interpreter)).toEqual([
      ['Trigger', 'incomingRequest', 'sub', null],
      ['sub', 'completed', 'done', null],
      ['Trigger', 'incomingParent', 'set', subStep.sid],
      ['set', 'next', 'hello', subStep.sid],
      ['hello', 'sent', 'Ended', subStep.sid],
      ['done', 'sent', 'Ended', null],
    ]);
    const dates = interpreter.steps.map((step) => step.date_created);
    expect([...dates].sort()).toEqual(dates);
    expect(interpreter.context.widgets.sub).toEqual({ greeting: 'Hello Ann', asked_by: `+15551234567 via ${PARENT_SID}` });
    // The child's variables are its own: the parent's flow.variables and widgets are untouched by it.
    expect(interpreter.context.flow.variables).toEqual({});
    expect(Object.keys(interpreter.context.widgets)).toEqual(['sub', 'done']);
    expect(calls.filter((call) => call.method === 'sendMessage').map((call) => (call.request as { body: string }).body)).toEqual([
      `Hi Ann from ${CHILD_SID}`,
      'Done: Hello Ann',
    ]);
    expect(calls[0]).toEqual({ method: 'fetchFlowRevision', request: { widgetName: 'sub', flowSid: CHILD_SID, revision: 'LatestPublished' } });
  });

  it('allows one nesting level: a Run Subflow inside the child takes failed (81024) without fetching', async () => {
    const child = [trigger('incomingParent', 'sub'), runSubflow('unreached', 'after'), { ...send('after', 'nested refused'), name: 'after' }];
    const { effects, calls } = withChild(child, { sendMessage: [SENT] });
    const interpreter = new Interpreter(input([trigger('incomingRequest', 'sub'), runSubflow(null)]), WIDGETS, effects, createTemplateEngine(), runtime());

    await interpreter.run();

    const inner = interpreter.steps.find((step) => step.transitioned_from === 'sub' && step.parent_step_sid !== null)!;
    expect(inner).toMatchObject({ name: 'failed', transitioned_to: 'after' });
    expect(inner.context.warnings).toEqual([expect.objectContaining({ code: '81024' })]);
    expect(calls.filter((call) => call.method === 'fetchFlowRevision')).toHaveLength(1);
    expect(interpreter.context.widgets.sub).toEqual({});
  });

  it('counts the child steps toward the execution limit: a loop in the child ends the execution (81000)', async () => {
    const count: FlowState = {
      name: 'count',
      type: 'set-variables',
      transitions: [{ event: 'next', next: 'check' }],
      properties: { variables: [{ key: 'n', value: '{{flow.variables.n | plus: 1}}' }] },
    };
    const check: FlowState = {
      name: 'check',
      type: 'split-based-on',
      properties: { input: '{{flow.variables.n}}' },
      transitions: [{ event: 'noMatch', next: 'count' }, { event: 'match', conditions: [{ type: 'equal_to', arguments: ['{{flow.variables.n}}'], value: 'never', friendly_name: '' }] }],
    };
    const { effects } = withChild([trigger('incomingParent', 'count'), count, check]);
    const interpreter = new Interpreter(input([trigger('incomingRequest', 'sub'), runSubflow(null)], { limits: { maxSteps: 20 } }), WIDGETS, effects, createTemplateEngine(), runtime());

    const result = await interpreter.run();

    expect(result.reason).toBe('MAX_STEPS');
    expect(result.detail).toContain('81000');
    // The Run Subflow step in progress is the 20th: it never ends, so it is not recorded.
    expect(interpreter.steps).toHaveLength(19);
    expect(interpreter.steps.slice(1).every((step) => step.parent_step_sid !== null)).toBe(true);
  });

  it('makes a channel the child creates the execution channel, with its teardown', async () => {
    const start: FlowState = {
      name: 'start',
      type: 'start-conversation',
      transitions: [{ event: 'created' }, { event: 'failed' }],
      properties: { participants: [{ type: 'messaging', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}' }] },
    };
    const created = { ok: true, conversation: { sid: 'CH00000000000000000000000000000001' }, participant: { sid: 'MB1' }, webhookSid: 'WH1' };
    const { effects } = withChild([trigger('incomingParent', 'start'), start], { startConversation: [created] });
    const interpreter = new Interpreter(input([trigger('incomingRequest', 'sub'), runSubflow(null)]), WIDGETS, effects, createTemplateEngine(), runtime());

    await interpreter.run();

    expect(interpreter.context.flow.channel).toMatchObject({ sid: 'CH00000000000000000000000000000001', type: 'conversation', address: '+15550000000' });
    expect(interpreter.teardown).toMatchObject({ conversationSid: 'CH00000000000000000000000000000001', webhookSid: 'WH1' });
  });

  it('completes at once with no variables when the child does not connect its Subflow trigger', async () => {
    const { effects } = withChild([{ ...trigger('incomingMessage', 'x'), transitions: [{ event: 'incomingMessage', next: null }] }]);
    const interpreter = new Interpreter(input([trigger('incomingRequest', 'sub'), runSubflow(null)]), WIDGETS, effects, createTemplateEngine(), runtime());

    await interpreter.run();

    const subStep = interpreter.steps[1];
    expect(summary(interpreter)).toEqual([
      ['Trigger', 'incomingRequest', 'sub', null],
      ['sub', 'completed', 'Ended', null],
      ['Trigger', 'incomingParent', 'Ended', subStep.sid],
    ]);
    expect(interpreter.context.widgets.sub).toEqual({});
  });

  it('continues as new only between widgets of the parent, never inside the child', async () => {
    let checks = 0;
    let carried: CarriedState | undefined;
    const handOver = runtime({
      shouldContinueAsNew: () => ++checks > 1,
      continueAsNew: async (state) => {
        carried = JSON.parse(JSON.stringify(state)) as CarriedState;
        throw new Error('continued as new');
      },
    });
    const child = [trigger('incomingParent', 'one'), { ...send('one', 'one', 'two') }, send('two', 'two')];
    const { effects } = withChild(child, { sendMessage: [SENT, SENT] });
    const interpreter = new Interpreter(input([trigger('incomingRequest', 'sub'), runSubflow('done'), send('done', 'done')]), WIDGETS, effects, createTemplateEngine(), handOver);

    await expect(interpreter.run()).rejects.toThrow('continued as new');

    expect(checks).toBe(2);
    expect(carried?.currentWidget).toBe('done');
    expect(carried?.steps.map((step) => step.transitioned_from)).toEqual(['Trigger', 'sub', 'Trigger', 'one', 'two']);
    expect(carried?.context.widgets.sub).toEqual({});
  });

  it('refuses a child definition without its initial state: the Run Subflow takes failed', async () => {
    const { effects } = fakeEffects({ fetchFlowRevision: [{ ok: true, revision: 2, valid: true, definition: { states: [], initial_state: 'Trigger' } }] });
    const interpreter = new Interpreter(input([trigger('incomingRequest', 'sub'), runSubflow(null)]), WIDGETS, effects, createTemplateEngine(), runtime());

    await interpreter.run();

    expect(summary(interpreter)).toEqual([
      ['Trigger', 'incomingRequest', 'sub', null],
      ['sub', 'failed', 'Ended', null],
    ]);
  });
});
