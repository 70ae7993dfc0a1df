// Issue item 3: history events each widget type adds to an execution. For each type, a flow with k
// widgets of it and the same flow without them run in quiet mode (no delivery reports, replies once
// the workflow waits), so each history's length is exact; events per widget = the difference / k.
// Pure widgets (set-variables, split-based-on, Liquid) must add none.
import { converse } from './device-driver';
import { subflowChild, widgetCostFlows, type WidgetCostFlow } from './flows';
import { fetchAndCount, type HistoryCount } from './history-events';
import type { BenchStack } from './stack';
import type { StudioApi } from './studio-api';
import { CONTACT_NAME, nextContact, startInterpreter } from './variants';
import type { FlowDefinition } from '../workflows/engine/types';

export interface WidgetCost {
  widget: string;
  widgets_in_flow: number;
  events_with: number;
  events_without: number;
  events_per_widget: number;
  /** Per event type, what one widget adds (only the types that change). */
  added_by_type: Record<string, number>;
  pure: boolean;
  /** Pure widgets: whether they added nothing. */
  goal_zero_events: boolean | null;
}

async function historyOf(stack: BenchStack, api: StudioApi, definition: FlowDefinition, messages: number, answers: string[]): Promise<HistoryCount> {
  const flowSid = await api.createFlow('bench widget cost', definition);
  const contact = nextContact();
  const handle = await startInterpreter(stack, flowSid, definition, contact, { name: CONTACT_NAME });
  await converse(stack, handle, contact, answers, messages, performance.now(), { waitUntilWaiting: true });
  return (await fetchAndCount(handle)).count;
}

async function measureRow(stack: BenchStack, api: StudioApi, row: WidgetCostFlow): Promise<WidgetCost> {
  const [withWidgets, without] = await Promise.all([
    historyOf(stack, api, row.withWidgets, row.messagesWith, row.answers),
    historyOf(stack, api, row.without, row.messagesWithout, []),
  ]);
  const added: Record<string, number> = {};
  for (const type of new Set([...Object.keys(withWidgets.byType), ...Object.keys(without.byType)])) {
    const difference = (withWidgets.byType[type] ?? 0) - (without.byType[type] ?? 0);
    if (difference !== 0) added[type] = Math.round((difference / row.count) * 100) / 100;
  }
  const perWidget = Math.round(((withWidgets.total - without.total) / row.count) * 100) / 100;
  return {
    widget: row.widget,
    widgets_in_flow: row.count,
    events_with: withWidgets.total,
    events_without: without.total,
    events_per_widget: perWidget,
    added_by_type: added,
    pure: row.pure,
    goal_zero_events: row.pure ? perWidget === 0 : null,
  };
}

export async function measureWidgetCosts(stack: BenchStack, api: StudioApi): Promise<WidgetCost[]> {
  const subflowSid = await api.createFlow('bench subflow child', subflowChild());
  const rows = widgetCostFlows(stack.httpTargetUrl, subflowSid);
  // Every history here is free of races (quiet mode), so the rows may run side by side.
  return Promise.all(rows.map((row) => measureRow(stack, api, row)));
}
