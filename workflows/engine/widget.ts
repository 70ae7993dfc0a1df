// The contract every widget file fulfils (docs/HOUSE_STYLE.md "How a widget is added"). A widget
// decides; the effects port does. Widget code never imports @temporalio/*.
import type { Effects } from './effects';
import type { EndedReason, ExecutionContext, FlowChannel, FlowState, JsonObject, TeardownState } from './types';

export interface WidgetRunInput {
  /** The state as written in the flow definition (properties not yet rendered). */
  state: FlowState;
  /** The execution context as it stands when the step starts (read-only). */
  context: Readonly<ExecutionContext>;
  /** Renders a property through Liquid against the context; a template error renders '' and records 81018. */
  render(template: unknown): string;
  /** The execution SID and step SID, for idempotency keys and summaries. */
  executionSid: string;
  stepSid: string;
}

export interface WidgetOutcome {
  /** The transition event the widget fires. */
  event: string;
  /** Which transition of `state.transitions` to take when several share the event (split-based-on's match). */
  transitionIndex?: number;
  /** Becomes `widgets.<name>` at the end of the step (Studio: "variables get set at the end of a step"). */
  output?: JsonObject;
  /** Merged into `flow.variables` (Set Variables). */
  variables?: JsonObject;
  /** Replaces `flow.channel` (Start Conversation, or a hand-off changing its status). */
  channel?: FlowChannel;
  /** Merged into what the execution must undo when it ends. */
  teardown?: TeardownState;
  /** Ends the execution here, whatever the transitions say (an unsupported widget). */
  endExecution?: { reason: EndedReason; detail: string };
  /** Studio warnings to record on the step (e.g. 81027). */
  warnings?: { code: string; message: string }[];
}

export interface WidgetDefinition {
  /** The Studio `type` string this file implements. */
  type: string;
  /** Every transition event the widget can emit (the validator checks transitions against this). */
  events: readonly string[];
  /**
   * A widget with effects returns a promise. A pure one (no effect: set-variables, split-based-on)
   * returns its outcome itself, and the run loop goes on to the next widget without any promise: in
   * the workflow sandbox the SDK records a stack trace for every promise created (for the
   * stack-trace query), which made promises the largest cost of a pure step.
   */
  run(input: WidgetRunInput, effects: Effects): WidgetOutcome | Promise<WidgetOutcome>;
}
