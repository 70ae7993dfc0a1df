// The run loop: walks a pinned flow definition from its trigger, one widget at a time, recording
// Studio's steps and enforcing Studio's limits. Pure and deterministic: time, SIDs and the outside
// world come in through the runtime and effects ports, so the same code runs in the workflow and in
// unit tests. A subflow (Run Subflow, DESIGN.md decision 6) is a second walk of the same loop over the
// child's definition, inside the same execution: its steps join the execution's steps and limits.
import type { Effects, HostEffects, SubflowOutcome, SubflowRequest } from './effects';
import { initialContext } from './context';
import { renderPropertyText, type TemplateEngine } from './liquid';
import type {
  CarriedState,
  EndedReason,
  ExecutionContext,
  ExecutionLimits,
  ExecutionStep,
  FlowDefinition,
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

/** One walk through a flow definition: the execution's own flow, or a subflow running inside it. */
interface FlowWalk {
  states: ReadonlyMap<string, FlowState>;
  context: ExecutionContext;
  /** The Run Subflow step this walk's steps belong to; null for the execution's own flow. */
  parentStepSid: string | null;
  previousWidget: string | null;
  sameWidgetCount: number;
  endedNaturally: InterpreterResult | null;
  /** What its widgets get: the host's effects, and runSubflow bound to this walk. */
  effects: Effects;
}

type StepWarning = { code: string; message: string };

/** Where and when a step began: its widget was entered then, whenever it ends. */
interface StepEntry {
  sid: string;
  atMs: number;
  /** Its index in the execution's steps (a Run Subflow step precedes its child's steps). */
  position: number;
}

/** Studio's error for a Run Subflow that cannot run its child. */
const SUBFLOW_ERROR = 81024;

export class Interpreter {
  readonly context: ExecutionContext;
  readonly steps: ExecutionStep[];
  readonly teardown: TeardownState;
  readonly ignoredInbound: IgnoredInbound[];
  readonly seenMessageSids: Set<string>;
  currentWidget: string | null;
  private readonly startedAtMs: number;
  private readonly limits: ExecutionLimits;
  private readonly main: FlowWalk;
  /** Steps begun and not yet recorded (a Run Subflow whose child is running): they count toward the limit. */
  private stepsInProgress = 0;

  constructor(
    private readonly input: StudioExecutionInput,
    private readonly widgets: ReadonlyMap<string, WidgetDefinition>,
    private readonly hostEffects: HostEffects,
    private readonly templates: TemplateEngine,
    private readonly runtime: RuntimePort,
  ) {
    this.limits = { ...STUDIO_LIMITS, ...input.limits };
    const carried = input.carried;
    this.context = carried?.context ?? initialContext(input);
    this.steps = carried?.steps ?? [];
    this.teardown = carried?.teardown ?? {};
    this.ignoredInbound = carried?.ignoredInbound ?? [];
    this.seenMessageSids = new Set(carried?.seenMessageSids ?? initialMessageSids(input));
    this.currentWidget = carried?.currentWidget ?? null;
    this.startedAtMs = carried?.startedAtMs ?? runtime.nowMs();
    this.main = this.newWalk(statesByName(input.definition), this.context, null);
    this.main.previousWidget = carried?.previousWidget ?? null;
    this.main.sameWidgetCount = carried?.sameWidgetCount ?? 0;
  }

  /** Runs to the end of the execution and says why it ended. */
  async run(): Promise<InterpreterResult> {
    const walk = this.main;
    try {
      let next: string | null = this.currentWidget ?? this.fireTrigger(walk, this.input.trigger.type, this.input.definition.initial_state);
      while (next !== null) {
        const state = walk.states.get(next);
        if (!state) return { reason: 'ERROR', detail: `Widget ${next} does not exist` };
        if (this.runtime.shouldContinueAsNew()) await this.runtime.continueAsNew(this.carriedState(next));
        const limit = this.checkLimits(walk, state.name);
        if (limit) return limit;
        this.currentWidget = state.name;
        walk.previousWidget = state.name;
        const step = this.runWidget(walk, state);
        next = isPromise(step) ? await step : step;
      }
      return walk.endedNaturally ?? { reason: 'FLOW_END', detail: 'The flow reached a transition with no next widget' };
    } catch (error) {
      if (error instanceof ExecutionEndedError) return { reason: error.reason, detail: error.detail };
      throw error;
    } finally {
      this.currentWidget = null;
    }
  }

  /**
   * Runs a child flow from its `incomingParent` transition to its end, inside this execution: its
   * steps are recorded under the Run Subflow step, count toward the execution's limits (a limit
   * reached in the child ends the execution), and it shares the contact and `flow.channel`. The
   * child cannot continue-as-new midway; the parent does so before its next widget. One nesting
   * level, as Studio (81024).
   */
  private async runSubflow(caller: FlowWalk, request: SubflowRequest): Promise<SubflowOutcome> {
    if (caller.parentStepSid !== null) {
      return { ok: false, error: { code: SUBFLOW_ERROR, message: 'A subflow cannot run another subflow (Studio allows one nesting level)' } };
    }
    const definition = request.definition;
    if (!Array.isArray(definition?.states) || !definition.states.some((state) => state?.name === definition.initial_state)) {
      return {
        ok: false,
        error: { code: SUBFLOW_ERROR, message: `Revision ${request.revision} of flow ${request.flowSid} has no initial state ${String(definition?.initial_state)}` },
      };
    }
    const walk = this.newWalk(statesByName(definition), subflowContext(caller.context, request, this.input.trigger.type), request.parentStepSid);
    let next = this.fireTrigger(walk, 'incomingParent', definition.initial_state);
    while (next !== null) {
      const state = walk.states.get(next);
      if (!state) throw new ExecutionEndedError('ERROR', `Widget ${next} does not exist in subflow ${request.flowSid}`);
      const limit = this.checkLimits(walk, state.name);
      if (limit) throw new ExecutionEndedError(limit.reason, limit.detail);
      walk.previousWidget = state.name;
      const step = this.runWidget(walk, state);
      next = isPromise(step) ? await step : step;
    }
    if (walk.endedNaturally) throw new ExecutionEndedError(walk.endedNaturally.reason, walk.endedNaturally.detail);
    return { ok: true, variables: walk.context.flow.variables };
  }

  private newWalk(states: ReadonlyMap<string, FlowState>, context: ExecutionContext, parentStepSid: string | null): FlowWalk {
    // Prototype delegation keeps every host effect (and its `this`) and adds the one the loop provides.
    const effects = Object.create(this.hostEffects) as Effects;
    const walk: FlowWalk = { states, context, parentStepSid, previousWidget: null, sameWidgetCount: 0, endedNaturally: null, effects };
    effects.runSubflow = (request) => this.runSubflow(walk, request);
    return walk;
  }

  /** The trigger widget fires the event that started the walk (a step like any other). */
  private fireTrigger(walk: FlowWalk, event: string, initialState: string): string | null {
    const trigger = walk.states.get(initialState);
    if (!trigger) throw new ExecutionEndedError('ERROR', `Initial state ${initialState} does not exist`);
    const transition = (trigger.transitions ?? []).find((candidate) => candidate.event === event);
    const next = transition?.next || null;
    this.recordStep(walk, trigger, event, next, {}, []);
    return next;
  }

  private checkLimits(walk: FlowWalk, widgetName: string): InterpreterResult | null {
    if (this.steps.length + this.stepsInProgress >= this.limits.maxSteps) {
      return { reason: 'MAX_STEPS', detail: `81000: the execution reached the maximum of ${this.limits.maxSteps} steps` };
    }
    walk.sameWidgetCount = widgetName === walk.previousWidget ? walk.sameWidgetCount + 1 : 1;
    if (walk.sameWidgetCount > this.limits.maxSameWidgetInARow) {
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

  /**
   * Runs one widget and gives the name of the next one, or null when the walk ends: at once for a
   * pure widget, through a promise for one with effects (WidgetDefinition.run says why).
   */
  private runWidget(walk: FlowWalk, state: FlowState): string | null | Promise<string | null> {
    const widget = this.widgets.get(state.type);
    if (!widget) {
      throw new ExecutionEndedError(
        'UNSUPPORTED_WIDGET',
        `Widget ${state.name} has type ${state.type}, which this engine does not run (voice-only or unknown)`,
      );
    }
    const warnings: StepWarning[] = [];
    const stepSid = 'FT' + this.runtime.randomHex();
    // A step is dated and placed when its widget is entered, so a Run Subflow step precedes its child's steps.
    const entered: StepEntry = { sid: stepSid, atMs: this.runtime.nowMs(), position: this.steps.length };
    this.runtime.enterWidget(state, stepSid);
    this.stepsInProgress++;
    let pending: WidgetOutcome | Promise<WidgetOutcome>;
    try {
      pending = widget.run(
        {
          state,
          context: walk.context,
          executionSid: this.input.executionSid,
          stepSid,
          render: (template) => {
            const result = renderPropertyText(this.templates, template, walk.context);
            if (result.warning) warnings.push(result.warning);
            return result.output;
          },
        },
        walk.effects,
      );
    } catch (error) {
      this.leaveWidget(state);
      throw error;
    }
    if (!isPromise(pending)) {
      this.leaveWidget(state);
      return this.endStep(walk, state, pending, warnings, entered);
    }
    return this.settleWidget(walk, state, pending, warnings, entered);
  }

  private async settleWidget(
    walk: FlowWalk,
    state: FlowState,
    pending: Promise<WidgetOutcome>,
    warnings: StepWarning[],
    entered: StepEntry,
  ): Promise<string | null> {
    let outcome: WidgetOutcome;
    try {
      outcome = await pending;
    } finally {
      this.leaveWidget(state);
    }
    return this.endStep(walk, state, outcome, warnings, entered);
  }

  private leaveWidget(state: FlowState): void {
    this.stepsInProgress--;
    this.runtime.leaveWidget(state);
  }

  /** Applies a widget's outcome, records its step and gives the next widget's name (null: the walk ends). */
  private endStep(walk: FlowWalk, state: FlowState, outcome: WidgetOutcome, warnings: StepWarning[], entered: StepEntry): string | null {
    if (outcome.warnings) warnings.push(...outcome.warnings);
    this.apply(walk, state, outcome);
    const transitions = state.transitions ?? [];
    const transition =
      outcome.transitionIndex !== undefined ? transitions[outcome.transitionIndex] : transitions.find((candidate) => candidate.event === outcome.event);
    const next = transition?.next || null;
    if (next === null && state.type === 'split-based-on' && outcome.event === 'noMatch') {
      warnings.push({ code: '81005', message: 'Failed to transition because no match was found' });
    }
    this.recordStep(walk, state, outcome.event, next, outcome.output ?? {}, warnings, entered);
    if (outcome.endExecution) {
      walk.endedNaturally = outcome.endExecution;
      return null;
    }
    return next;
  }

  /** Studio sets a widget's variables at the end of its step. */
  private apply(walk: FlowWalk, state: FlowState, outcome: WidgetOutcome): void {
    if (outcome.output) walk.context.widgets[state.name] = outcome.output;
    if (outcome.variables) Object.assign(walk.context.flow.variables, outcome.variables);
    if (outcome.channel) {
      walk.context.flow.channel = outcome.channel;
      // Decision 6: a channel a subflow creates is the execution's channel from then on.
      this.context.flow.channel = outcome.channel;
    }
    if (outcome.teardown) Object.assign(this.teardown, outcome.teardown);
  }

  private recordStep(
    walk: FlowWalk,
    state: FlowState,
    event: string,
    next: string | null,
    output: JsonObject,
    warnings: StepWarning[],
    entered: StepEntry = { sid: 'FT' + this.runtime.randomHex(), atMs: this.runtime.nowMs(), position: this.steps.length },
  ): void {
    const context: JsonObject = { widgets: { [state.name]: output } };
    if (warnings.length > 0) context.warnings = warnings;
    this.steps.splice(entered.position, 0, {
      sid: entered.sid,
      name: event,
      transitioned_from: state.name,
      transitioned_to: next ?? 'Ended',
      type: state.type,
      context,
      date_created: new Date(entered.atMs).toISOString(),
      parent_step_sid: walk.parentStepSid,
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
      previousWidget: this.main.previousWidget,
      sameWidgetCount: this.main.sameWidgetCount,
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

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function statesByName(definition: FlowDefinition): Map<string, FlowState> {
  return new Map(definition.states.map((state) => [state.name, state]));
}

/**
 * The context a subflow starts with (docs/studio-reference.md §2.6): the parent's trigger data copied,
 * `trigger.parent` with the Run Subflow parameters, the same execution, contact and channel, and
 * variables and widgets of its own.
 */
function subflowContext(parent: ExecutionContext, request: SubflowRequest, parentTriggerType: string): ExecutionContext {
  const { parent: _grandparent, ...parentTrigger } = parent.trigger;
  return {
    flow: { ...parent.flow, flow_sid: request.flowSid, variables: {} },
    contact: parent.contact,
    trigger: {
      ...parentTrigger,
      parent: {
        parameters: request.parameters,
        step_sid: request.parentStepSid,
        execution_sid: parent.flow.sid,
        flow_sid: parent.flow.flow_sid,
        trigger_type: parentTriggerType,
      },
    },
    widgets: {},
  };
}
