// The run loop: walks a pinned flow definition from its trigger, one widget at a time, recording
// Studio's steps and enforcing Studio's limits. Pure and deterministic: time, SIDs and the outside
// world come in through the runtime and effects ports, so the same code runs in the workflow and in
// unit tests.
import type { Effects } from './effects';
import { initialContext } from './context';
import { renderPropertyText, type TemplateEngine } from './liquid';
import type {
  CarriedState,
  EndedReason,
  ExecutionContext,
  ExecutionLimits,
  ExecutionStep,
  FlowState,
  IgnoredInbound,
  JsonObject,
  StudioExecutionInput,
  TeardownState,
} from './types';
import { STUDIO_LIMITS } from './types';
import type { WidgetDefinition, WidgetOutcome } from './widget';

/** Thrown by a port to end the execution at once (a limit reached while waiting, for instance). */
export class ExecutionEndedError extends Error {
  constructor(
    readonly reason: EndedReason,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ExecutionEndedError';
  }
}

/** What the interpreter needs from its host besides the effects widgets use. */
export interface RuntimePort {
  nowMs(): number;
  /** A deterministic, unique 32-hex-digit string (the workflow's uuid4). */
  randomHex(): string;
  /** Called when a widget starts; the host updates search attributes, current details, inbound acceptance. */
  enterWidget(state: FlowState, stepSid: string): void;
  leaveWidget(state: FlowState): void;
  /** Whether to hand over to a fresh run (continue-as-new) before the next widget. */
  shouldContinueAsNew(): boolean;
  continueAsNew(carried: CarriedState): Promise<never>;
}

export interface InterpreterResult {
  reason: EndedReason;
  detail: string;
}

export class Interpreter {
  readonly context: ExecutionContext;
  readonly steps: ExecutionStep[];
  readonly teardown: TeardownState;
  readonly ignoredInbound: IgnoredInbound[];
  readonly seenMessageSids: Set<string>;
  currentWidget: string | null;
  private previousWidget: string | null;
  private sameWidgetCount: number;
  private readonly startedAtMs: number;
  private readonly limits: ExecutionLimits;
  private readonly states: Map<string, FlowState>;

  constructor(
    private readonly input: StudioExecutionInput,
    private readonly widgets: ReadonlyMap<string, WidgetDefinition>,
    private readonly effects: Effects,
    private readonly templates: TemplateEngine,
    private readonly runtime: RuntimePort,
  ) {
    this.limits = { ...STUDIO_LIMITS, ...input.limits };
    this.states = new Map(input.definition.states.map((state) => [state.name, state]));
    const carried = input.carried;
    this.context = carried?.context ?? initialContext(input);
    this.steps = carried?.steps ?? [];
    this.teardown = carried?.teardown ?? {};
    this.ignoredInbound = carried?.ignoredInbound ?? [];
    this.seenMessageSids = new Set(carried?.seenMessageSids ?? initialMessageSids(input));
    this.currentWidget = carried?.currentWidget ?? null;
    this.previousWidget = carried?.previousWidget ?? null;
    this.sameWidgetCount = carried?.sameWidgetCount ?? 0;
    this.startedAtMs = carried?.startedAtMs ?? runtime.nowMs();
  }

  /** Runs to the end of the execution and says why it ended. */
  async run(): Promise<InterpreterResult> {
    try {
      let next: string | null = this.currentWidget ?? this.fireTrigger();
      while (next !== null) {
        const state = this.states.get(next);
        if (!state) return { reason: 'ERROR', detail: `Widget ${next} does not exist` };
        if (this.runtime.shouldContinueAsNew()) await this.runtime.continueAsNew(this.carriedState(next));
        const limit = this.checkLimits(state.name);
        if (limit) return limit;
        this.currentWidget = state.name;
        this.previousWidget = state.name;
        next = await this.runWidget(state);
      }
      return this.endedNaturally ?? { reason: 'FLOW_END', detail: 'The flow reached a transition with no next widget' };
    } catch (error) {
      if (error instanceof ExecutionEndedError) return { reason: error.reason, detail: error.detail };
      throw error;
    } finally {
      this.currentWidget = null;
    }
  }

  private endedNaturally: InterpreterResult | null = null;

  /** The trigger widget fires the event that started the execution (a step like any other). */
  private fireTrigger(): string | null {
    const trigger = this.states.get(this.input.definition.initial_state);
    if (!trigger) throw new ExecutionEndedError('ERROR', `Initial state ${this.input.definition.initial_state} does not exist`);
    const event = this.input.trigger.type;
    const transition = (trigger.transitions ?? []).find((candidate) => candidate.event === event);
    const next = transition?.next || null;
    this.recordStep(trigger, event, next, {}, []);
    return next;
  }

  private checkLimits(widgetName: string): InterpreterResult | null {
    if (this.steps.length >= this.limits.maxSteps) {
      return { reason: 'MAX_STEPS', detail: `81000: the execution reached the maximum of ${this.limits.maxSteps} steps` };
    }
    this.sameWidgetCount = widgetName === this.previousWidget ? this.sameWidgetCount + 1 : 1;
    if (this.sameWidgetCount > this.limits.maxSameWidgetInARow) {
      return {
        reason: 'WIDGET_LOOP',
        detail: `81001: widget ${widgetName} ran more than ${this.limits.maxSameWidgetInARow} times in a row`,
      };
    }
    if (this.runtime.nowMs() - this.startedAtMs >= this.limits.lifetimeMs) {
      return { reason: 'LIFETIME', detail: 'The execution reached its maximum lifetime of 30 days' };
    }
    return null;
  }

  /** Runs one widget and returns the name of the next one, or null when the execution ends. */
  private async runWidget(state: FlowState): Promise<string | null> {
    const widget = this.widgets.get(state.type);
    if (!widget) {
      throw new ExecutionEndedError(
        'UNSUPPORTED_WIDGET',
        `Widget ${state.name} has type ${state.type}, which this engine does not run (voice-only or unknown)`,
      );
    }
    const warnings: { code: string; message: string }[] = [];
    const stepSid = 'FT' + this.runtime.randomHex();
    this.runtime.enterWidget(state, stepSid);
    let outcome: WidgetOutcome;
    try {
      outcome = await widget.run(
        {
          state,
          context: this.context,
          executionSid: this.input.executionSid,
          stepSid,
          render: (template) => {
            const result = renderPropertyText(this.templates, template, this.context);
            if (result.warning) warnings.push(result.warning);
            return result.output;
          },
        },
        this.effects,
      );
    } finally {
      this.runtime.leaveWidget(state);
    }
    if (outcome.warnings) warnings.push(...outcome.warnings);
    this.apply(state, outcome);
    const transitions = state.transitions ?? [];
    const transition =
      outcome.transitionIndex !== undefined ? transitions[outcome.transitionIndex] : transitions.find((candidate) => candidate.event === outcome.event);
    const next = transition?.next || null;
    if (next === null && state.type === 'split-based-on' && outcome.event === 'noMatch') {
      warnings.push({ code: '81005', message: 'Failed to transition because no match was found' });
    }
    this.recordStep(state, outcome.event, next, outcome.output ?? {}, warnings, stepSid);
    if (outcome.endExecution) {
      this.endedNaturally = outcome.endExecution;
      return null;
    }
    return next;
  }

  /** Studio sets a widget's variables at the end of its step. */
  private apply(state: FlowState, outcome: WidgetOutcome): void {
    if (outcome.output) this.context.widgets[state.name] = outcome.output;
    if (outcome.variables) Object.assign(this.context.flow.variables, outcome.variables);
    if (outcome.channel) this.context.flow.channel = outcome.channel;
    if (outcome.teardown) Object.assign(this.teardown, outcome.teardown);
  }

  private recordStep(
    state: FlowState,
    event: string,
    next: string | null,
    output: JsonObject,
    warnings: { code: string; message: string }[],
    sid = 'FT' + this.runtime.randomHex(),
  ): void {
    const context: JsonObject = { widgets: { [state.name]: output } };
    if (warnings.length > 0) context.warnings = warnings;
    this.steps.push({
      sid,
      name: event,
      transitioned_from: state.name,
      transitioned_to: next ?? 'Ended',
      type: state.type,
      context,
      date_created: new Date(this.runtime.nowMs()).toISOString(),
      parent_step_sid: null,
    });
  }

  /** Records an inbound message that no widget was waiting for (DESIGN.md decision 3, warning 81002). */
  recordIgnored(messageSid: string): void {
    this.ignoredInbound.push({
      messageSid,
      widget: this.currentWidget,
      warning: '81002',
      date_created: new Date(this.runtime.nowMs()).toISOString(),
    });
  }

  private carriedState(nextWidget: string): CarriedState {
    return {
      context: this.context,
      steps: this.steps,
      seenMessageSids: [...this.seenMessageSids],
      currentWidget: nextWidget,
      previousWidget: this.previousWidget,
      sameWidgetCount: this.sameWidgetCount,
      startedAtMs: this.startedAtMs,
      pendingInbound: [],
      ignoredInbound: this.ignoredInbound,
      teardown: this.teardown,
    };
  }
}

/** The message that started an execution must never also count as its first reply (webhook retries). */
function initialMessageSids(input: StudioExecutionInput): string[] {
  const trigger = input.trigger;
  if (trigger.type === 'incomingMessage' && trigger.message.MessageSid) return [trigger.message.MessageSid];
  if (trigger.type === 'incomingConversationMessage' && trigger.conversation.MessageSid) return [trigger.conversation.MessageSid];
  return [];
}
