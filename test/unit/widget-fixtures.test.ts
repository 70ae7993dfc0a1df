// Every widget in the registry has a golden fixture (test/fixtures/widgets/<type>.json), and every
// case of every fixture holds: the widget, driven with a fake effects port and real Liquid, fires the
// expected event, writes the expected output, and asks the world for exactly the expected effects.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTemplateEngine } from '../../workflows/engine/liquid';
import type { ExecutionContext, FlowState } from '../../workflows/engine/types';
import { WIDGET_CATALOGUE } from '../../workflows/engine/widget-catalogue';
import { WIDGET_LIST } from '../../workflows/widgets/registry';
import { fakeEffects, type ScriptedEffects } from '../support/fake-effects';

interface WidgetFixtureCase {
  name: string;
  state: FlowState;
  context: ExecutionContext;
  effects?: ScriptedEffects;
  triggerType?: string;
  handedOff?: boolean;
  expected: Record<string, unknown> & { event: string; calls?: { method: string; request: unknown }[] };
}

const FIXTURES = path.join(__dirname, '../fixtures/widgets');
const templates = createTemplateEngine();

describe.each(WIDGET_LIST.filter((widget) => widget.type !== 'trigger').map((widget) => [widget.type, widget] as const))('widget %s', (type, widget) => {
  const file = path.join(FIXTURES, `${type}.json`);

  it('has a golden fixture', () => {
    expect(fs.existsSync(file)).toBe(true);
  });

  const cases: WidgetFixtureCase[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
  it.each(cases.map((fixture) => [fixture.name, fixture] as const))('%s', async (_name, fixture) => {
    const { effects, calls } = fakeEffects(fixture.effects, { triggerType: fixture.triggerType, handedOff: fixture.handedOff });
    const outcome = await widget.run(
      {
        state: fixture.state,
        context: fixture.context,
        executionSid: fixture.context.flow.sid,
        stepSid: 'FT00000000000000000000000000000001',
        render: (template) => (typeof template === 'string' ? templates.render(template, fixture.context).output : template == null ? '' : String(template)),
      },
      effects,
    );
    const { calls: expectedCalls, warnings: expectedWarnings, ...expectedOutcome } = fixture.expected;
    expect(outcome).toMatchObject(expectedOutcome);
    // Fixtures name warnings by code, or give them whole.
    if (Array.isArray(expectedWarnings)) {
      const warnings = outcome.warnings ?? [];
      const byCode = expectedWarnings.every((warning) => typeof warning === 'string');
      if (byCode) expect(warnings.map((warning) => warning.code)).toEqual(expectedWarnings);
      else expect(warnings).toMatchObject(expectedWarnings);
    }
    if (expectedCalls) expect(calls).toMatchObject(expectedCalls);
    expect(widget.events).toContain(outcome.event);
  });
});

// The validator checks transitions against the catalogue; the interpreter runs the registry. They
// must agree on every widget's events, or a valid flow could fire an event the validator refused.
describe('the widget registry and the validator catalogue', () => {
  it.each(WIDGET_LIST.map((widget) => [widget.type, widget] as const))('agree on the events of %s', (type, widget) => {
    const entry = WIDGET_CATALOGUE[type];
    expect(entry).toBeDefined();
    expect([...widget.events].sort()).toEqual([...entry.events].sort());
    expect(entry.voiceOnly).toBe(false);
  });
});
