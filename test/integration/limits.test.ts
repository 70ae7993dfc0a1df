// Studio's limits in the real workflow (issue 4.6, DESIGN.md decision 9): 1,000 steps and the same
// widget more than 10 times in a row each end the execution with its reason recorded; a voice-only
// widget ends it with a clear reason (decision 11). (The 30-day lifetime is proved on the
// time-skipping server: test/integration/time-skipping.test.ts.)
import type { FlowState } from '../../workflows/engine/types';
import { startStack, waitFor, type Stack } from '../support/stack';

const trigger = (next: string): FlowState => ({
  name: 'Trigger',
  type: 'trigger',
  transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next }, { event: 'incomingParent' }],
  properties: { offset: { x: 0, y: 0 } },
});
const definition = (states: FlowState[]) => ({ description: 'limits', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } });

describe('limits end an execution with their reason', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  async function run(states: FlowState[], contact: string) {
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: 'limits', status: 'published', definition: definition(states) });
    const execution = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ to: contact, from: '+15005550500' });
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status === 'ended', 'the execution to end');
    return stack.service.state(execution.sid);
  }

  it('ends at 1,000 steps (81000)', async () => {
    const state = await run(
      [
        trigger('count'),
        { name: 'count', type: 'set-variables', transitions: [{ event: 'next', next: 'again' }], properties: { variables: [{ key: 'n', value: '{{flow.variables.n | default: 0 | plus: 1}}' }] } },
        { name: 'again', type: 'split-based-on', transitions: [{ event: 'noMatch', next: 'count' }], properties: { input: '{{flow.variables.n}}' } },
      ],
      '+15551238001',
    );
    expect(state.endedReason).toBe('MAX_STEPS');
    expect(state.endedDetail).toContain('81000');
    expect(state.steps).toHaveLength(1000);
  });

  it('ends when one widget runs more than 10 times in a row (81001)', async () => {
    const state = await run(
      [trigger('spin'), { name: 'spin', type: 'set-variables', transitions: [{ event: 'next', next: 'spin' }], properties: { variables: [{ key: 'x', value: '1' }] } }],
      '+15551238002',
    );
    expect(state.endedReason).toBe('WIDGET_LOOP');
    expect(state.endedDetail).toContain('81001');
    expect(state.steps.filter((step) => step.transitioned_from === 'spin')).toHaveLength(10);
  });

  it('ends at a voice-only widget, naming it', async () => {
    const state = await run(
      [trigger('say'), { name: 'say', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { say: 'Hello', loop: 1 } }],
      '+15551238003',
    );
    expect(state.endedReason).toBe('UNSUPPORTED_WIDGET');
    expect(state.endedDetail).toContain('say-play');
  });
});
