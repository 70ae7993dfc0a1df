// Flow validation: what Studio's POST /v2/Flows/Validate checks (docs/studio-reference.md §1.4),
// with the tolerances real exports need (DESIGN.md decisions 11 and 13). Pure and synchronous so the
// API, the CLI and the workflow sandbox can all run it; it never throws and never mutates its input.
//
// Messages reuse Studio's phrases (`is missing but it is required`, `integer found, string expected`,
// `must not be null`, `does not have a value in the enumeration`, `must be a constant value`) so that
// people who know Studio's errors recognise them; property_path is Studio's JSON-pointer-like path.
import { compileStudioRegex } from './split-conditions';
import type { FlowDefinition } from './types';
import {
  SPLIT_CONDITION_TYPES,
  VALUELESS_CONDITION_TYPES,
  WIDGET_TYPES,
  catalogueEntry,
  type JsonTypeName,
  type PropertyRule,
  type WidgetCatalogueEntry,
} from './widget-catalogue';

export interface ValidationIssue {
  message: string;
  /** JSON-pointer-like, 0-based: '#/states/3/properties/timeout'. */
  property_path: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export type ParseResult =
  | { ok: true; definition: FlowDefinition }
  | { ok: false; /** why the text is not a definition: not JSON, not an object, ... */ message: string };

/** Studio's schema: `states` has at most 1,000 items. */
const MAX_STATES = 1000;
/** Past this many issues of one kind the rest are counted, not listed: a broken huge input must not make a huge answer. */
const MAX_LISTED_ISSUES = 100;
/** Widget names and values quoted in messages are cut here, for the same reason. */
const MAX_QUOTED_LENGTH = 80;

const SCHEMA_URL = 'https://schemas.twilio.com/studio/draft/2019-09/flow-definition';
const FLOW_SID = /^FW[0-9a-fA-F]{32}$/;
const LIQUID_MARKUP = /\{\{|\{%/;
/** `flow_revision` values Run Subflow accepts: Studio's named revisions, or a revision number. */
const NAMED_REVISIONS: readonly string[] = ['LatestPublished', 'LatestDraft', 'LatestRevision'];
/** Start Conversation's participant types: `sms` and `whatsapp` are aliases of `messaging` (DESIGN.md decision 12). */
const PARTICIPANT_TYPES: readonly string[] = ['messaging', 'chat', 'sms', 'whatsapp'];
/** Trigger events that do not come from the REST API: Start/Resume Conversation must not follow them. */
const NON_REST_TRIGGER_EVENTS: readonly string[] = ['incomingMessage', 'incomingCall', 'incomingConversationMessage'];
/** Widget types of the pre-2019 export format seen in real files (today's types are kebab-case). */
const PRE_2019_TYPES: ReadonlySet<string> = new Set([
  'InitialState',
  'Message',
  'MessagePrompt',
  'Branch',
  'SetVariables',
  'Webhook',
  'Function',
  'Gather',
  'SayPlay',
  'DialV2',
  'EnqueueCall',
]);
const CAMEL_CASE_TYPE = /^[A-Z][A-Za-z0-9]*$/;
/** Pre-2019 transitions point at widget SIDs (FF…), not names. */
const PRE_2019_STATE_SID = /^FF[0-9a-fA-F]{32}$/;

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * How deep JSON from outside (a definition, REST `Parameters`) may nest. Real flows nest about 8 levels;
 * JSON.stringify, which every response and every Temporal payload goes through, recurses and overflows
 * the stack at a few thousand, after the input was stored.
 */
export const MAX_JSON_NESTING = 64;

/** True when arrays and objects in `value` nest more than `limit` levels (iterative: deep input cannot overflow it). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Parses the text of a definition (e.g. the API's `Definition` parameter) into an object, or says why it is not one. */
export function parseDefinition(text: string): ParseResult {
  if (typeof text !== 'string') return { ok: false, message: 'The definition must be JSON text' };
  // A byte-order mark is what an editor added, not part of the JSON.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.trim() === '') {
    return { ok: false, message: 'The definition is empty: expected a JSON object with states and initial_state' };
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, message: `The definition is not valid JSON: ${errorMessage(error)}` };
  }
  if (nestedDeeperThan(value, MAX_JSON_NESTING)) {
    return { ok: false, message: `The definition is nested more than ${MAX_JSON_NESTING} levels deep` };
  }
  if (typeof value === 'string') {
    return { ok: false, message: 'The definition is a JSON string, not an object (was it JSON-encoded twice?)' };
  }
  if (!isObject(value)) {
    return { ok: false, message: `The definition must be a JSON object: ${jsonTypeOf(value)} found, object expected` };
  }
  return { ok: true, definition: value as FlowDefinition };
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Validates a parsed definition. Whatever the input, it answers (an unexpected failure becomes an error). */
export function validateDefinition(definition: unknown): ValidationResult {
  const errors = new IssueList('errors');
  const warnings = new IssueList('warnings');
  try {
    new Validator(errors, warnings).validate(definition);
  } catch (error) {
    // Only a hostile input (a throwing getter, a Proxy) gets here; say so rather than throw.
    errors.add('#', `The definition could not be validated: ${errorMessage(error)}`);
  }
  const result = { errors: errors.finish(), warnings: warnings.finish() };
  return { valid: result.errors.length === 0, ...result };
}

/**
 * The names of the states an execution can reach. Without `fromEvent`: everything reachable from the
 * initial state, itself included. With it: what the initial state's `fromEvent` transitions lead to
 * (e.g. 'incomingRequest'), the initial state included only if a path loops back to it.
 */
export function reachableStates(definition: FlowDefinition, fromEvent?: string): Set<string> {
  if (!isObject(definition) || !Array.isArray(definition.states)) return new Set();
  const graph = buildTransitionGraph(definition.states);
  const initial = definition.initial_state;
  if (typeof initial !== 'string' || !graph.has(initial)) return new Set();
  if (fromEvent === undefined) return walk(graph, [initial]);
  const starts = (graph.get(initial) ?? []).filter((edge) => edge.event === fromEvent).map((edge) => edge.next);
  return walk(graph, starts);
}

// ---------------------------------------------------------------------------------------------

interface Edge {
  event: string;
  next: string;
}

/** State name → its transitions that lead somewhere; malformed entries are skipped, duplicated names merged. */
function buildTransitionGraph(states: readonly unknown[]): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>();
  for (const state of states) {
    if (!isObject(state) || typeof state.name !== 'string') continue;
    const edges = graph.get(state.name) ?? [];
    graph.set(state.name, edges);
    if (!Array.isArray(state.transitions)) continue;
    for (const transition of state.transitions) {
      if (!isObject(transition) || typeof transition.event !== 'string') continue;
      if (typeof transition.next === 'string' && transition.next !== '') {
        edges.push({ event: transition.event, next: transition.next });
      }
    }
  }
  return graph;
}

function walk(graph: ReadonlyMap<string, readonly Edge[]>, starts: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = starts.filter((name) => graph.has(name));
  for (const name of queue) seen.add(name);
  // An index instead of shift(): a 1,000-widget flow stays linear.
  for (let index = 0; index < queue.length; index++) {
    for (const edge of graph.get(queue[index]) ?? []) {
      if (!seen.has(edge.next) && graph.has(edge.next)) {
        seen.add(edge.next);
        queue.push(edge.next);
      }
    }
  }
  return seen;
}

class IssueList {
  private readonly items: ValidationIssue[] = [];
  private omitted = 0;

  constructor(private readonly kind: 'errors' | 'warnings') {}

  add(path: string, message: string): void {
    if (this.items.length < MAX_LISTED_ISSUES) this.items.push({ message, property_path: path });
    else this.omitted++;
  }

  finish(): ValidationIssue[] {
    if (this.omitted === 0) return this.items;
    return [...this.items, { message: `…and ${this.omitted} more ${this.kind} not listed`, property_path: '#' }];
  }
}

/** Where an issue is, for the path and for the words of the message. */
interface Place {
  /** JSON-pointer-like path: '#/states/3/properties/timeout'. */
  path: string;
  /** How the message names it: 'properties.timeout', 'transitions[1].conditions[0].value'. */
  label: string;
  /** 'Widget "ask": ' for anything inside a state, '' at the top level. */
  subject: string;
}

function child(place: Place, key: string | number): Place {
  const label = typeof key === 'number' ? `${place.label}[${key}]` : place.label === '' ? key : `${place.label}.${key}`;
  return { path: `${place.path}/${escapePointer(String(key))}`, label, subject: place.subject };
}

class Validator {
  constructor(
    private readonly errors: IssueList,
    private readonly warnings: IssueList,
  ) {}

  validate(definition: unknown): void {
    const top: Place = { path: '#', label: '', subject: '' };
    if (!isObject(definition)) {
      this.error(top, `definition: ${jsonTypeOf(definition)} found, object expected`);
      return;
    }
    if (isPre2019Export(definition)) {
      this.error(child(top, 'states'), pre2019Message(definition));
      return;
    }

    this.checkTopLevel(definition, top);
    const states = this.checkStatesArray(definition, top);
    if (states === undefined) return;

    const names = new Set<string>();
    for (const state of states) if (isObject(state) && typeof state.name === 'string') names.add(state.name);

    const firstIndexOfName = new Map<string, number>();
    let triggerIndex: number | undefined;
    // Index loops, not forEach: a sparse array handed in from code must not hide its holes.
    for (let index = 0; index < states.length; index++) {
      const state = states[index];
      if (!isObject(state)) {
        this.error({ path: `#/states/${index}`, label: '', subject: '' }, `states[${index}]: ${jsonTypeOf(state)} found, object expected`);
        continue;
      }
      const subject = typeof state.name === 'string' && state.name !== '' ? `Widget ${quote(state.name)}: ` : `states[${index}]: `;
      const place: Place = { path: `#/states/${index}`, label: '', subject };
      this.checkName(state, index, place, firstIndexOfName);
      const entry = this.checkType(state, place);
      if (entry?.type === 'trigger') {
        if (triggerIndex === undefined) triggerIndex = index;
        else this.error(child(place, 'type'), `${place.subject}a flow has exactly one trigger widget; states[${triggerIndex}] is the trigger already`);
      }
      const properties = this.checkPropertiesObject(state, place);
      if (entry !== undefined && properties !== undefined) this.checkWidgetProperties(entry, properties, child(place, 'properties'));
      this.checkTransitions(state, entry, place, names);
    }

    this.checkInitialState(definition, states, triggerIndex);
    this.checkRestApiOnlyWidgets(definition, states);
  }

  // ---- top level ----

  private checkTopLevel(definition: Record<string, unknown>, top: Place): void {
    if (hasValue(definition, 'description')) this.checkValue(definition.description, { type: 'string' }, child(top, 'description'));
    if (hasValue(definition, '$schema')) {
      this.checkValue(definition.$schema, { type: 'string', enum: [SCHEMA_URL] }, child(top, '$schema'));
    }
    if (Object.hasOwn(definition, 'flags')) {
      const flags = child(top, 'flags');
      if (definition.flags === null) this.error(flags, 'flags must not be null');
      else if (!isObject(definition.flags)) this.error(flags, `flags: ${jsonTypeOf(definition.flags)} found, object expected`);
      else this.checkProperties(definition.flags, { allow_concurrent_calls: { type: 'boolean', required: true } }, flags);
    }
    const initial = child(top, 'initial_state');
    if (!hasValue(definition, 'initial_state')) this.missingOrNull(definition, 'initial_state', initial);
    else if (typeof definition.initial_state !== 'string') {
      this.error(initial, `initial_state: ${jsonTypeOf(definition.initial_state)} found, string expected`);
    } else if (definition.initial_state === '') this.error(initial, 'initial_state must not be empty: it names the trigger widget');
  }

  private checkStatesArray(definition: Record<string, unknown>, top: Place): readonly unknown[] | undefined {
    const place = child(top, 'states');
    if (!hasValue(definition, 'states')) {
      this.missingOrNull(definition, 'states', place);
      return undefined;
    }
    const states = definition.states;
    if (!Array.isArray(states)) {
      this.error(place, `states: ${jsonTypeOf(states)} found, array expected`);
      return undefined;
    }
    if (states.length === 0) {
      this.error(place, 'states must contain at least 1 widget (the trigger)');
      return undefined;
    }
    if (states.length > MAX_STATES) {
      // One clear error; checking each of an oversized list would only bury it.
      this.error(place, `states must contain at most ${MAX_STATES} widgets; found ${states.length}`);
      return undefined;
    }
    return states;
  }

  private checkInitialState(definition: Record<string, unknown>, states: readonly unknown[], triggerIndex: number | undefined): void {
    const place: Place = { path: '#/initial_state', label: 'initial_state', subject: '' };
    const initial = definition.initial_state;
    if (triggerIndex === undefined) {
      this.error({ ...place, path: '#/states' }, 'states must contain a trigger widget (type "trigger"): it is where every execution starts');
    }
    if (typeof initial !== 'string' || initial === '') return; // already reported
    const index = states.findIndex((state) => isObject(state) && state.name === initial);
    if (index < 0) {
      this.error(place, `initial_state ${quote(initial)} does not name a widget in states`);
      return;
    }
    const state = states[index] as Record<string, unknown>;
    if (triggerIndex !== undefined && state.type !== 'trigger') {
      this.error(place, `initial_state ${quote(initial)} must name the trigger widget (states[${triggerIndex}]), not a ${String(state.type)}`);
    }
  }

  // ---- one state ----

  private checkName(state: Record<string, unknown>, index: number, place: Place, firstIndexOfName: Map<string, number>): void {
    const at = child(place, 'name');
    if (!hasValue(state, 'name')) {
      this.missingOrNull(state, 'name', at);
      return;
    }
    const name = state.name;
    if (typeof name !== 'string') {
      this.error(at, `${at.subject}name: ${jsonTypeOf(name)} found, string expected`);
      return;
    }
    // Studio's naming rules (studio-reference §1.3). Hyphens are allowed: real exports use them.
    if (!/^\p{L}/u.test(name)) this.error(at, `Widget name ${quote(name)} must start with a letter`);
    if (/\s/u.test(name)) this.error(at, `Widget name ${quote(name)} cannot contain spaces`);
    if (name.includes('.')) this.error(at, `Widget name ${quote(name)} cannot contain periods`);
    const first = firstIndexOfName.get(name);
    if (first === undefined) firstIndexOfName.set(name, index);
    else this.error(at, `Widget name ${quote(name)} is not unique: states[${first}] has it too`);
  }

  private checkType(state: Record<string, unknown>, place: Place): WidgetCatalogueEntry | undefined {
    const at = child(place, 'type');
    if (!hasValue(state, 'type')) {
      this.missingOrNull(state, 'type', at);
      return undefined;
    }
    const type = state.type;
    if (typeof type !== 'string') {
      this.error(at, `${place.subject}type: ${jsonTypeOf(type)} found, string expected`);
      return undefined;
    }
    const entry = catalogueEntry(type);
    if (entry === undefined) {
      this.error(at, `${place.subject}type ${quote(type)} does not have a value in the enumeration [${WIDGET_TYPES.join(', ')}]`);
      return undefined;
    }
    if (entry.unsupported !== undefined) {
      // DESIGN.md decision 11: accepted, named, and an execution that reaches it ends.
      const why = entry.voiceOnly ? `is voice-only: ${entry.unsupported}` : `is not supported: ${entry.unsupported}`;
      this.warning(at, `${place.subject.replace(/: $/, '')} (${type}) ${why}. It is accepted, but an execution that reaches it ends.`);
    }
    return entry;
  }

  private checkPropertiesObject(state: Record<string, unknown>, place: Place): Record<string, unknown> | undefined {
    if (!Object.hasOwn(state, 'properties') || state.properties === undefined) return {};
    const at = child(place, 'properties');
    if (state.properties === null) {
      this.error(at, `${place.subject}properties must not be null`);
      return undefined;
    }
    if (!isObject(state.properties)) {
      this.error(at, `${place.subject}properties: ${jsonTypeOf(state.properties)} found, object expected`);
      return undefined;
    }
    return state.properties;
  }

  private checkWidgetProperties(entry: WidgetCatalogueEntry, properties: Record<string, unknown>, place: Place): void {
    this.checkProperties(properties, entry.properties, place);
    if (entry.type === 'run-subflow') this.checkRunSubflow(properties, place);
    if (entry.type === 'start-conversation') this.checkParticipants(properties, place);
  }

  private checkRunSubflow(properties: Record<string, unknown>, place: Place): void {
    const sid = properties.flow_sid;
    // Studio resolves the subflow when the flow is saved, so the SID cannot come from Liquid.
    if (typeof sid === 'string' && !FLOW_SID.test(sid)) {
      this.error(child(place, 'flow_sid'), `${place.subject}properties.flow_sid must be a valid, non-liquid flow sid (FW and 32 hex digits); found ${quote(sid)}`);
    }
    const revision = properties.flow_revision;
    if (typeof revision === 'string' && !NAMED_REVISIONS.includes(revision) && !/^[1-9][0-9]*$/.test(revision)) {
      this.error(
        child(place, 'flow_revision'),
        `${place.subject}properties.flow_revision ${quote(revision)} does not have a value in the enumeration [${NAMED_REVISIONS.join(', ')}] and is not a revision number`,
      );
    }
  }

  private checkParticipants(properties: Record<string, unknown>, place: Place): void {
    const participants = properties.participants;
    if (!Array.isArray(participants)) return; // its type is already reported
    for (let index = 0; index < participants.length; index++) {
      const participant: unknown = participants[index];
      // An unknown participant type is reported by its enumeration already; nothing more to ask of it.
      if (!isObject(participant) || typeof participant.type !== 'string' || !PARTICIPANT_TYPES.includes(participant.type)) continue;
      const at = child(child(place, 'participants'), index);
      // A messaging participant is bound by address, a chat one by identity (DESIGN.md decision 12).
      const needed = participant.type === 'chat' ? 'identity' : 'messaging_binding_address';
      if (!hasValue(participant, needed)) this.missingOrNull(participant, needed, child(at, needed));
    }
  }

  private checkTransitions(state: Record<string, unknown>, entry: WidgetCatalogueEntry | undefined, place: Place, names: ReadonlySet<string>): void {
    if (!Object.hasOwn(state, 'transitions') || state.transitions === undefined) return;
    const list = child(place, 'transitions');
    if (state.transitions === null) {
      this.error(list, `${place.subject}transitions must not be null`);
      return;
    }
    if (!Array.isArray(state.transitions)) {
      this.error(list, `${place.subject}transitions: ${jsonTypeOf(state.transitions)} found, array expected`);
      return;
    }
    const transitions: readonly unknown[] = state.transitions;
    for (let index = 0; index < transitions.length; index++) {
      const transition = transitions[index];
      const at = child(list, index);
      if (!isObject(transition)) {
        this.error(at, `${place.subject}${at.label}: ${jsonTypeOf(transition)} found, object expected`);
        continue;
      }
      const event = this.checkEvent(transition, entry, at);
      this.checkNext(transition, event, at, names);
      if (entry?.type === 'split-based-on' && event === 'match') this.checkConditions(transition, at);
    }
  }

  private checkEvent(transition: Record<string, unknown>, entry: WidgetCatalogueEntry | undefined, place: Place): string | undefined {
    const at = child(place, 'event');
    if (!hasValue(transition, 'event')) {
      this.missingOrNull(transition, 'event', at);
      return undefined;
    }
    const event = transition.event;
    if (typeof event !== 'string') {
      this.error(at, `${at.subject}${at.label}: ${jsonTypeOf(event)} found, string expected`);
      return undefined;
    }
    if (entry !== undefined && !entry.events.includes(event)) {
      this.error(at, `${at.subject}${at.label} must be a constant value ${orList(entry.events)}; ${quote(event)} is not an event of ${entry.type}`);
    }
    return event;
  }

  private checkNext(transition: Record<string, unknown>, event: string | undefined, place: Place, names: ReadonlySet<string>): void {
    // Absent, null and "" all mean "no next: this branch ends the execution" (DESIGN.md decision 13).
    const next = transition.next;
    if (next === undefined || next === null || next === '') return;
    const at = child(place, 'next');
    if (typeof next !== 'string') {
      this.error(at, `${at.subject}${at.label}: ${jsonTypeOf(next)} found, string expected`);
      return;
    }
    if (!names.has(next)) {
      const which = event === undefined ? place.label : `${place.label} (${event})`;
      this.error(at, `${at.subject}${which} points to a state that does not exist: ${truncate(next)}`);
    }
  }

  private checkConditions(transition: Record<string, unknown>, place: Place): void {
    const at = child(place, 'conditions');
    if (!hasValue(transition, 'conditions')) {
      this.missingOrNull(transition, 'conditions', at);
      return;
    }
    const conditions = transition.conditions;
    if (!Array.isArray(conditions)) {
      this.error(at, `${at.subject}${at.label}: ${jsonTypeOf(conditions)} found, array expected`);
      return;
    }
    if (conditions.length === 0) {
      this.error(at, `${at.subject}${at.label} must contain at least 1 condition`);
      return;
    }
    for (let index = 0; index < conditions.length; index++) this.checkCondition(conditions[index], child(at, index));
  }

  private checkCondition(condition: unknown, place: Place): void {
    if (!isObject(condition)) {
      this.error(place, `${place.subject}${place.label}: ${jsonTypeOf(condition)} found, object expected`);
      return;
    }
    const type = condition.type;
    const valueless = typeof type === 'string' && VALUELESS_CONDITION_TYPES.includes(type);
    this.checkProperties(
      condition,
      {
        type: { type: 'string', required: true, enum: SPLIT_CONDITION_TYPES },
        friendly_name: { type: 'string' },
        arguments: { type: 'array', items: { type: 'string' } },
        // is_blank / is_not_blank ignore their value, whatever it holds (DESIGN.md decision 13).
        ...(valueless ? {} : { value: { type: 'string', required: true } }),
      },
      place,
    );
    if (type === 'regex' && typeof condition.value === 'string') {
      const problem = regexProblem(condition.value);
      if (problem !== undefined) this.error(child(place, 'value'), `${place.subject}${place.label}.value is not a valid regular expression: ${problem}`);
    }
  }

  // ---- generic property rules ----

  private checkProperties(object: Record<string, unknown>, rules: Readonly<Record<string, PropertyRule>>, place: Place): void {
    for (const key of Object.keys(rules)) {
      const rule = rules[key];
      if (!hasValue(object, key)) {
        // An optional property set to null reads as "not set", as old exports wrote it.
        const required = typeof rule.required === 'function' ? rule.required(object) : rule.required === true;
        if (required) this.missingOrNull(object, key, child(place, key));
        continue;
      }
      this.checkValue(object[key], rule, child(place, key));
    }
  }

  private checkValue(value: unknown, rule: PropertyRule, place: Place): void {
    const found = jsonTypeOf(value);
    if (!typeMatches(found, rule.type)) {
      if (rule.type === 'string' && (found === 'integer' || found === 'number')) {
        // DESIGN.md decision 13: real flows hold numbers where Studio's schema wants strings
        // ("timeout": 3600); kept as sent, with a warning.
        this.warning(place, `${place.subject}${place.label}: ${found} found, string expected; accepted as sent (a number where Studio wants a string)`);
      } else {
        this.error(place, `${place.subject}${place.label}: ${found} found, ${rule.type} expected`);
      }
      return;
    }
    if (rule.enum !== undefined && typeof value === 'string' && !rule.enum.includes(value)) {
      this.error(place, `${place.subject}${place.label} ${quote(value)} does not have a value in the enumeration [${rule.enum.join(', ')}]`);
    }
    if (Array.isArray(value)) {
      if (rule.minItems !== undefined && value.length < rule.minItems) {
        this.error(place, `${place.subject}${place.label} must contain at least ${rule.minItems} item${rule.minItems === 1 ? '' : 's'}`);
      }
      const items = rule.items;
      if (items !== undefined) for (let index = 0; index < value.length; index++) this.checkItem(value[index], items, child(place, index));
    } else if (isObject(value) && rule.properties !== undefined) {
      this.checkProperties(value, rule.properties, place);
    }
  }

  private checkItem(item: unknown, rule: PropertyRule, place: Place): void {
    if (item === null || item === undefined) this.error(place, `${place.subject}${place.label} must not be null`);
    else this.checkValue(item, rule, place);
  }

  // ---- REST-only widgets ----

  /** Start/Resume Conversation need an execution with no channel yet: one started by the REST API (or a parent flow). */
  private checkRestApiOnlyWidgets(definition: Record<string, unknown>, states: readonly unknown[]): void {
    const restOnly = new Map<string, number>();
    states.forEach((state, index) => {
      if (!isObject(state) || typeof state.name !== 'string' || typeof state.type !== 'string') return;
      if (catalogueEntry(state.type)?.restApiOnly === true && !restOnly.has(state.name)) restOnly.set(state.name, index);
    });
    if (restOnly.size === 0) return;
    const reachedFrom = new Map<string, string[]>();
    for (const event of NON_REST_TRIGGER_EVENTS) {
      for (const name of reachableStates(definition as FlowDefinition, event)) {
        if (restOnly.has(name)) reachedFrom.set(name, [...(reachedFrom.get(name) ?? []), event]);
      }
    }
    for (const [name, events] of reachedFrom) {
      const index = restOnly.get(name) as number;
      const type = (states[index] as Record<string, unknown>).type as string;
      this.error(
        { path: `#/states/${index}`, label: '', subject: '' },
        `Widget ${quote(name)} (${type}) can only be used in flows triggered by the REST API; it is reachable from the trigger's ${orList(events)} transition`,
      );
    }
  }

  // ---- reporting ----

  private missingOrNull(object: Record<string, unknown>, key: string, place: Place): void {
    const what = `${place.subject}${place.label}`;
    if (Object.hasOwn(object, key) && object[key] === null) this.error(place, `${what} must not be null`);
    else this.error(place, `${what} is missing but it is required`);
  }

  private error(place: Place, message: string): void {
    this.errors.add(place.path, message);
  }

  private warning(place: Place, message: string): void {
    this.warnings.add(place.path, message);
  }
}

// ---------------------------------------------------------------------------------------------
// The pre-2019 export format

/**
 * The format Studio exported before its 2019 schema: CamelCase widget types (`InitialState`,
 * `MessagePrompt`, `Branch`), widget SIDs, and transitions to `FF…` SIDs instead of names. Nothing
 * in it maps reliably onto today's widgets, so it is refused as a whole with one error.
 */
function isPre2019Export(definition: Record<string, unknown>): boolean {
  if (!Array.isArray(definition.states)) return false;
  let legacyType = false;
  let camelCaseType = false;
  let sidReference = false;
  for (const state of definition.states) {
    if (!isObject(state)) continue;
    if (typeof state.type === 'string') {
      if (state.type === 'InitialState') return true;
      if (PRE_2019_TYPES.has(state.type)) legacyType = true;
      else if (CAMEL_CASE_TYPE.test(state.type)) camelCaseType = true;
    }
    if (typeof state.sid === 'string' && PRE_2019_STATE_SID.test(state.sid)) sidReference = true;
    if (!Array.isArray(state.transitions)) continue;
    for (const transition of state.transitions) {
      if (isObject(transition) && typeof transition.next === 'string' && PRE_2019_STATE_SID.test(transition.next)) sidReference = true;
    }
  }
  // A lone odd type in a current flow is just an unknown type; together with SIDs it is the old format.
  return legacyType || (camelCaseType && (sidReference || !Object.hasOwn(definition, 'initial_state')));
}

function pre2019Message(definition: Record<string, unknown>): string {
  const types = new Set<string>();
  for (const state of definition.states as unknown[]) {
    if (isObject(state) && typeof state.type === 'string' && CAMEL_CASE_TYPE.test(state.type)) types.add(state.type);
  }
  const examples = [...types].slice(0, 4).map((type) => `"${truncate(type)}"`).join(', ');
  return (
    `This definition is in the pre-2019 Studio export format (widget types such as ${examples}, transitions to FF… widget SIDs), ` +
    'which Studio no longer accepts: open the flow in the current Twilio Studio Console, export it again and deploy that export'
  );
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Why a split's regex would not compile as the split widget runs it, or undefined (Liquid is checked at run time). */
function regexProblem(pattern: string): string | undefined {
  if (LIQUID_MARKUP.test(pattern)) return undefined;
  const compiled = compileStudioRegex(pattern);
  return compiled.ok ? undefined : compiled.error;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property with a value other than undefined and null. */
function hasValue(object: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(object, key) && object[key] !== undefined && object[key] !== null;
}

/** JSON Schema's name for a value's type, as Studio's messages use it. */
function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value; // string, boolean, object; or a non-JSON type handed in from code
}

function typeMatches(found: string, expected: JsonTypeName): boolean {
  return found === expected || (expected === 'number' && found === 'integer');
}

/** "a", "a or b", "a, b or c". */
function orList(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

function truncate(text: string): string {
  return text.length <= MAX_QUOTED_LENGTH ? text : `${text.slice(0, MAX_QUOTED_LENGTH)}…`;
}

function quote(text: string): string {
  return JSON.stringify(truncate(text));
}

/** RFC 6901 escaping, so a key containing '/' or '~' still gives an unambiguous path. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'an unreadable error'; // a thrown value whose own toString throws
  }
}
