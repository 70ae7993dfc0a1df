// split-based-on: tests a value against each `match` transition's conditions and takes the first
// transition whose conditions all hold (DESIGN.md decision 4), else `noMatch`.
// Events: `match` (with `transitionIndex`, since several transitions share that event), `noMatch`.
// Writes nothing visible into widgets.<name> (output {}). Warning 81005 for a `noMatch` without a
// `next` is the run loop's business.
//
// Decisions:
// - A condition's tested value is its rendered `arguments[0]`; when `arguments` is absent, empty,
//   or its first item is '' or null, the rendered `properties.input` (Console writes both, equal).
// - A condition's `value` is rendered through Liquid when it is a string; any other JSON value is
//   compared as its text (split-conditions.ts). is_blank / is_not_blank never render their value,
//   so a broken template there cannot add a warning to a test that ignores it.
// - Each distinct template is rendered once per step (the same input is usually tested by every
//   transition), so a template error is recorded once, not once per condition.
// - A `match` transition without any condition never matches: vacuous truth would make a
//   half-edited transition swallow every value. A condition that is not an object never holds.
// - Conditions are evaluated lazily, in array order, stopping at the first failing condition and
//   the first matching transition, so later templates are not rendered once the choice is made.
// - Pure: `run` returns its outcome directly, not a promise (WidgetDefinition.run).
import { evaluateCondition } from '../engine/split-conditions';
import type { FlowState, SplitCondition } from '../engine/types';
import type { WidgetDefinition } from '../engine/widget';

export interface SplitChoice {
  event: 'match' | 'noMatch';
  /** The index in `state.transitions` of the matching transition; null for noMatch. */
  transitionIndex: number | null;
}

export function chooseSplitTransition(state: FlowState, render: (template: unknown) => string): SplitChoice {
  const rendered = new Map<string, string>();
  const renderOnce = (template: unknown): string => {
    if (typeof template !== 'string') return render(template);
    let output = rendered.get(template);
    if (output === undefined) {
      output = render(template);
      rendered.set(template, output);
    }
    return output;
  };
  const input = state.properties?.input;

  const holds = (condition: unknown): boolean => {
    if (!isCondition(condition)) return false;
    const argument = Array.isArray(condition.arguments) ? (condition.arguments as unknown[])[0] : undefined;
    const tested = renderOnce(argument === undefined || argument === null || argument === '' ? input : argument);
    const ignoresValue = condition.type === 'is_blank' || condition.type === 'is_not_blank';
    const value = !ignoresValue && typeof condition.value === 'string' ? renderOnce(condition.value) : condition.value;
    return evaluateCondition(condition.type, tested, value);
  };

  const transitions = state.transitions ?? [];
  for (let index = 0; index < transitions.length; index++) {
    const transition = transitions[index];
    if (transition.event !== 'match') continue;
    const conditions: unknown[] = Array.isArray(transition.conditions) ? transition.conditions : [];
    if (conditions.length > 0 && conditions.every(holds)) return { event: 'match', transitionIndex: index };
  }
  return { event: 'noMatch', transitionIndex: null };
}

function isCondition(condition: unknown): condition is SplitCondition {
  return typeof condition === 'object' && condition !== null && typeof (condition as { type?: unknown }).type === 'string';
}

export const splitBasedOnWidget: WidgetDefinition = {
  type: 'split-based-on',
  events: ['match', 'noMatch'],
  run({ state, render }) {
    const choice = chooseSplitTransition(state, render);
    if (choice.transitionIndex === null) return { event: 'noMatch', output: {} };
    return { event: 'match', transitionIndex: choice.transitionIndex, output: {} };
  },
};
