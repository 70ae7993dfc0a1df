// Golden scenarios (docs/HOUSE_STYLE.md habit 6): flow + REST trigger + the device's script →
// expected steps, variables and messages. Each run also records its history; with
// UPDATE_HISTORIES=1 the histories are written to test/fixtures/histories, which the replay test
// (test/unit/replay.test.ts) replays against the current workflow code on every `npm test`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { device, startStack, waitFor, type Stack } from '../support/stack';

interface Scenario {
  name: string;
  flow: string;
  trigger: { to: string; from: string; parameters: Record<string, unknown> };
  device: { expect: string; reply?: string }[];
  expected: { steps: string[]; variables: Record<string, unknown> };
}

const SCENARIOS = path.join(__dirname, '../fixtures/scenarios');
const FLOWS = path.join(__dirname, '../fixtures/flows');
const HISTORIES = path.join(__dirname, '../fixtures/histories');
const scenarios: Scenario[] = fs
  .readdirSync(SCENARIOS)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(fs.readFileSync(path.join(SCENARIOS, file), 'utf8')) as Scenario);

describe('golden scenarios', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))('%s', async (_name, scenario) => {
    const definition = JSON.parse(fs.readFileSync(path.join(FLOWS, scenario.flow), 'utf8'));
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: scenario.name, status: 'published', definition });
    const execution = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ ...scenario.trigger });
    const phone = device(stack.emulatorUrl);
    for (const [index, line] of scenario.device.entries()) {
      await waitFor(async () => (await phone.received(scenario.trigger.to)).length > index, `message ${index + 1}: ${line.expect}`);
      expect((await phone.received(scenario.trigger.to))[index].body).toBe(line.expect);
      if (line.reply) await phone.send(scenario.trigger.to, scenario.trigger.from, line.reply);
    }
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status === 'ended', 'the execution to end');
    expect(await phone.received(scenario.trigger.to)).toHaveLength(scenario.device.length);

    const steps = await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).steps.list();
    expect(steps.reverse().map((step) => `${step.transitionedFrom}-${step.name}->${step.transitionedTo}`)).toEqual(scenario.expected.steps);
    const context = await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).executionContext().fetch();
    expect((context.context as { flow: { variables: unknown } }).flow.variables).toEqual(scenario.expected.variables);

    if (process.env.UPDATE_HISTORIES === '1') {
      const history = await stack.temporal.workflow.getHandle(execution.sid).fetchHistory();
      fs.mkdirSync(HISTORIES, { recursive: true });
      fs.writeFileSync(path.join(HISTORIES, `${scenario.name}.json`), JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
    }
  });
});
