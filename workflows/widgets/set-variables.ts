// set-variables: sets `flow.variables.<key>` for each `{key, value}` pair of `properties.variables`
// (docs/studio-reference.md §2.5). Event: `next`. Writes the same keys and values into
// widgets.<name> (TW-AI: the values are mirrored there).
//
// Decisions (Studio's docs are silent or vague on each):
// - Pairs are set in array order, and a later pair sees the values set by earlier pairs of the same
//   widget (in `flow.variables.<key>` and `widgets.<name>.<key>`), which is what authors who write
//   `count` then `message: "Count {{flow.variables.count}}"` expect. The execution context itself
//   changes only at the end of the step. This needs rendering against an updated copy of the
//   context, which the step's `render` (bound to the step's context) cannot do, so the widget holds
//   a TemplateEngine: the worker's one engine (`studioTemplates`, the interpreter's too, so a
//   template is parsed once per worker, not once per execution and engine), or a configured one
//   through createSetVariablesWidget(engine). Its 81018 warnings are returned in the outcome's
//   `warnings` like any other.
// - Pure: `run` returns its outcome directly, not a promise (WidgetDefinition.run).
// - Numbers: a rendered value that is, once trimmed, a JSON number ("42", "-1.5", "1e3") becomes a
//   number (Studio: "a value written without quotes that looks numeric becomes a number"); an
//   integer beyond ±2^53 stays a string so long IDs keep their digits; "007", "+1", "1,000" are not
//   JSON numbers and stay strings (zip codes and phone numbers stay intact).
// - Quotes: a value written as one double-quoted literal, `"1"` or `"{{flow.data.zip}}"`, is the
//   text between the quotes, always a string (Studio: `"1"` is a string). Quotes inside Liquid tags
//   (`"{{ x | default: "none" }}"`) do not count; `"a" and "b"` is not one literal and is kept as is.
//   The quotes are judged on what the author wrote, never on rendered data, so a contact who types
//   `"1"` gets exactly that.
// - Booleans: "true"/"false" stay strings (the reference only documents numbers; note that Liquid
//   treats any string as truthy, so test them with `== "true"`). Non-string values in the JSON (a
//   number or boolean, decision 13; an object) are kept as they are; null becomes '' ([TW-AI]).
// - "Parse as JSON object": `parse_as_json: true` (or "true"), or `type: "json"` (any case). The
//   rendered text goes through JSON.parse and any JSON value is kept (object, array, number...).
//   On failure: warning 81027 "Error parsing type: <key>" and the rendered string is kept.
//   `type: "string"`, which recent Console exports put on every pair, changes nothing.
// - A pair without a usable key (absent, not a string or number, or '') is skipped.
import { studioTemplates, type TemplateEngine } from '../engine/liquid';
import type { ExecutionContext, FlowState, JsonObject, JsonValue } from '../engine/types';
import type { WidgetDefinition } from '../engine/widget';

type Warning = { code: string; message: string };

export interface SetVariablesResult {
  variables: JsonObject;
  warnings: Warning[];
}

/** Computes the variables a set-variables state sets, in order, against `context` (not changed). */
export function computeVariables(state: FlowState, context: Readonly<ExecutionContext>, templates: TemplateEngine): SetVariablesResult {
  const entries = state.properties?.variables;
  const variables: JsonObject = {};
  const warnings: Warning[] = [];
  if (!Array.isArray(entries)) return { variables, warnings };

  const ownWidget: JsonObject = { ...(context.widgets[state.name] ?? {}) };
  const working: ExecutionContext = {
    ...context,
    flow: { ...context.flow, variables: { ...context.flow.variables } },
    widgets: { ...context.widgets, [state.name]: ownWidget },
  };
  const render = (template: string): string => {
    const result = templates.render(template, working);
    if (result.warning) warnings.push(result.warning);
    return result.output;
  };

  for (const entry of entries as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const pair = entry as Record<string, unknown>;
    const key = typeof pair.key === 'number' ? String(pair.key) : pair.key;
    if (typeof key !== 'string' || key === '') continue;
    const value = resolveValue(key, pair, render, warnings);
    setOwn(variables, key, value);
    setOwn(working.flow.variables, key, value);
    setOwn(ownWidget, key, value);
  }
  return { variables, warnings };
}

function resolveValue(key: string, pair: Record<string, unknown>, render: (template: string) => string, warnings: Warning[]): JsonValue {
  const raw = pair.value;
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') return raw as JsonValue;
  if (parsesAsJson(pair)) {
    const rendered = render(raw);
    try {
      return JSON.parse(rendered) as JsonValue;
    } catch {
      warnings.push({ code: '81027', message: `Error parsing type: ${key} is not valid JSON` });
      return rendered;
    }
  }
  const quoted = quotedLiteral(raw);
  if (quoted !== null) return render(quoted);
  const rendered = render(raw);
  return asNumber(rendered) ?? rendered;
}

function parsesAsJson(pair: Record<string, unknown>): boolean {
  if (pair.parse_as_json === true || pair.parse_as_json === 'true') return true;
  return typeof pair.type === 'string' && pair.type.toLowerCase() === 'json';
}

/** The text between the quotes when the whole written value is one "…" literal, else null. */
function quotedLiteral(raw: string): string | null {
  const trimmed = raw.trim();
  if (trimmed.length < 2 || !trimmed.startsWith('"') || !trimmed.endsWith('"')) return null;
  const inner = trimmed.slice(1, -1);
  // Quotes inside {{ }} and {% %} are Liquid string literals, not the value's own quotes.
  const outsideLiquid = inner.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, '');
  return outsideLiquid.includes('"') ? null : inner;
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function asNumber(rendered: string): number | undefined {
  const text = rendered.trim();
  const match = JSON_NUMBER.exec(text);
  if (!match) return undefined;
  const number = Number(text);
  if (!Number.isFinite(number)) return undefined;
  const isIntegerLiteral = match[1] === undefined && match[2] === undefined;
  if (isIntegerLiteral && !Number.isSafeInteger(number)) return undefined;
  return number;
}

/** Assignment that also works for a key such as "__proto__", which `obj[key] =` would not store. */
function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function createSetVariablesWidget(templates: TemplateEngine): WidgetDefinition {
  return {
    type: 'set-variables',
    events: ['next'],
    run({ state, context }) {
      const { variables, warnings } = computeVariables(state, context, templates);
      // The mirror in widgets.<name> is a separate copy: nothing later can alias flow.variables.
      const output = JSON.parse(JSON.stringify(variables)) as JsonObject;
      return warnings.length > 0 ? { event: 'next', variables, output, warnings } : { event: 'next', variables, output };
    },
  };
}

export const setVariablesWidget: WidgetDefinition = createSetVariablesWidget(studioTemplates);
