// Studio's Liquid on liquidjs (DESIGN.md decision 5, docs/studio-reference.md §3.2). Runs inside the
// workflow sandbox (liquidjs's browser build, docs/sdk-notes.md §2): no DOM, no host time zone or
// locale, and the clock is the sandbox's deterministic `Date`.
//
// Decisions:
// - Lax: an undefined variable renders '' and is falsy (liquidjs's default, strictVariables off).
//   Filters are strict: an unknown filter is an error, as Studio lists "nonexistent tag/filter"
//   among the causes of 81018. An array index out of range renders '' (lax), although Studio's
//   81018 page lists it as an error: detecting it would need strict variables everywhere.
// - Any parse or render error renders the whole field '' with warning 81018
//   "Template evaluation error: <liquidjs's message, with line and column>".
// - Dates render in America/Los_Angeles (Studio's "PST"; liquidjs accepts the IANA name, DST
//   included) with locale en-US, whatever the host's TZ and LANG. An invalid time zone name makes
//   createTemplateEngine throw (a configuration error, found at start rather than mid-flow).
// - Output limit: more than 16,384 bytes of UTF-8 is an error like any other: the field renders ''
//   with 81018 (a cut-off JSON body or message would be worse than an empty one). If Studio's
//   engine is Java's liqp, as its `(?i)` regex exports hint, its size and iteration limits throw too.
//   The limit also applies to text without any Liquid: every field goes through the engine.
// - Loop limit: a `for` or `tablerow` loop that starts a 16th iteration is an error ('' + 81018),
//   for the same reasons; the limit is per loop (nested loops of 15 × 15 are allowed), and a loop
//   that `break`s or uses `limit:` before its 16th iteration is fine. Both limit errors also set
//   `limitExceeded`, so the run loop can end the execution instead (decision 9) if it chooses.
// - Hyphenated widget names: liquidjs already reads `-` as part of an identifier (as Shopify's Liquid
//   does), so `{{widgets.check-support.parsed.x}}` resolves with no rewriting; Liquid has no infix
//   minus (`minus` is a filter), so nothing else can be meant. Bracket notation works too.
// - `to_json` (Studio's filter): JSON.stringify of the value; an undefined value gives `null`, so
//   a JSON body such as `{"x": {{a | to_json}}}` stays valid JSON.
// - `{% include %}`, `{% render %}` and `{% layout %}` read from an empty in-memory map: they fail
//   with 81018 instead of reaching for the DOM (the browser build's default file system).
// - liquidjs's render-time limit reads a clock that the sandbox freezes within an activation, so it
//   can never fire; a memory limit (10 million units of liquidjs's own accounting: string lengths,
//   array sizes, ranges) stands in for it against runaway templates such as `(1..1000000000)`.
// - Parsed templates are cached per engine (a bounded map, least recently used evicted), parse
//   errors included, because the same widget renders the same templates again and again.
// - One engine for the whole worker (`studioTemplates`): the workflow renders with it (the interpreter
//   and set-variables), and this module is preloaded once per worker thread (worker/bundle.ts), so
//   liquidjs and its set-up are paid once, not per execution, and an execution finds its flow's
//   templates already parsed. Sharing cannot make a render depend on another execution: what it
//   gives is a pure function of the template and the context (each render has its own liquidjs
//   Context and limits; `now` is the sandbox's clock at the call), the parsed templates are never
//   changed by a render, and which templates happen to be cached changes only the time taken.
// - A template with no `{{` or `{%` is returned as it is, without liquidjs.
// - The engine renders against a shallow copy of the context's roots, so `{% increment %}` and
//   `{% decrement %}` (which write into the root scope) can never change the execution context.
import { ForTag, Liquid, TablerowTag } from 'liquidjs';
import type { Context, Parser, TagToken, Template, Token, TopLevelToken } from 'liquidjs';
import type { ExecutionContext, JsonValue } from './types';

export const DEFAULT_TIMEZONE = 'America/Los_Angeles';
export const LIQUID_OUTPUT_LIMIT_BYTES = 16384;
export const LIQUID_LOOP_ITERATION_LIMIT = 15;
const LIQUID_MEMORY_LIMIT = 10_000_000;
const PARSE_CACHE_SIZE = 500;

export interface TemplateWarning {
  code: '81018';
  message: string;
}

export interface RenderResult {
  output: string;
  warning?: TemplateWarning;
  /** Set when the error was one of Studio's Liquid limits (decision 9), besides the 81018 warning. */
  limitExceeded?: 'outputSize' | 'loopIterations';
}

export interface TemplateEngine {
  render(template: string, context: ExecutionContext): RenderResult;
}

export interface TemplateEngineOptions {
  /** An IANA time zone for the `date` filter; Studio's America/Los_Angeles by default. */
  timezone?: string;
}

type LimitName = NonNullable<RenderResult['limitExceeded']>;

class LiquidLimitError extends Error {
  constructor(
    readonly limit: LimitName,
    message: string,
  ) {
    super(message);
    this.name = 'LiquidLimitError';
  }
}

/**
 * A template placed first in a loop's body: it runs once at the start of every iteration and reads
 * the loop's own `forloop`/`tablerowloop` drop, which is the innermost one at that moment. Stateless,
 * so nested loops and recursion need no bookkeeping.
 */
function loopGuard(loopDrop: 'forloop' | 'tablerowloop', token: Token): Template {
  return {
    token,
    render(context: Context): string {
      const index = context.getSync([loopDrop, 'index']);
      if (typeof index === 'number' && index > LIQUID_LOOP_ITERATION_LIMIT) {
        throw new LiquidLimitError('loopIterations', `a loop went past Studio's limit of ${LIQUID_LOOP_ITERATION_LIMIT} iterations`);
      }
      return '';
    },
  };
}

class LimitedForTag extends ForTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid, parser);
    this.templates.unshift(loopGuard('forloop', token));
  }
}

class LimitedTablerowTag extends TablerowTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid, parser);
    this.templates.unshift(loopGuard('tablerowloop', token));
  }
}

type ParsedTemplate = { ok: true; templates: Template[] } | { ok: false; error: unknown };

export function createTemplateEngine(options: TemplateEngineOptions = {}): TemplateEngine {
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  // Throws RangeError for a name Intl does not know; liquidjs would only fail at the first date.
  new Intl.DateTimeFormat('en-US', { timeZone: timezone });

  const liquid = new Liquid({
    templates: {},
    timezoneOffset: timezone,
    locale: 'en-US',
    strictFilters: true,
    strictVariables: false,
    memoryLimit: LIQUID_MEMORY_LIMIT,
  });
  liquid.registerTag('for', LimitedForTag);
  liquid.registerTag('tablerow', LimitedTablerowTag);
  liquid.registerFilter('to_json', (value: unknown) => JSON.stringify(value ?? null) ?? 'null');

  const cache = new Map<string, ParsedTemplate>();
  const parse = (template: string): ParsedTemplate => {
    const cached = cache.get(template);
    if (cached) {
      // Re-insert so that Map order is least recently used first.
      cache.delete(template);
      cache.set(template, cached);
      return cached;
    }
    let parsed: ParsedTemplate;
    try {
      parsed = { ok: true, templates: liquid.parse(template) };
    } catch (error) {
      parsed = { ok: false, error };
    }
    if (cache.size >= PARSE_CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(template, parsed);
    return parsed;
  };

  const engine: TemplateEngine = {
    render(template: string, context: ExecutionContext): RenderResult {
      // The type says string, but callers pass raw JSON properties; never let a number reach liquidjs.
      if (typeof template !== 'string') return renderPropertyText(engine, template as unknown, context);
      if (!template.includes('{{') && !template.includes('{%')) return withinOutputLimit(template);
      const parsed = parse(template);
      if (!parsed.ok) return failure(parsed.error);
      try {
        const output: unknown = liquid.renderSync(parsed.templates, { ...context });
        return withinOutputLimit(typeof output === 'string' ? output : String(output));
      } catch (error) {
        return failure(error);
      }
    },
  };
  return engine;
}

/** The worker's one engine, Studio's defaults (see the header): shared by every execution. */
export const studioTemplates: TemplateEngine = createTemplateEngine();

/**
 * Renders a property value as Studio does: a string through Liquid, any other JSON value (a number
 * where the schema wants a string, decision 13; a boolean; an object) as it is.
 */
export function renderPropertyValue(
  engine: TemplateEngine,
  value: unknown,
  context: ExecutionContext,
): { value: JsonValue | undefined; warning?: TemplateWarning } {
  if (typeof value !== 'string') return { value: value as JsonValue | undefined };
  const result = engine.render(value, context);
  return result.warning ? { value: result.output, warning: result.warning } : { value: result.output };
}

/**
 * Renders a property value to text (what a widget's `render` gives): a string through Liquid; null
 * or absent as ''; a number or boolean as its text; an object or array as JSON.
 */
export function renderPropertyText(engine: TemplateEngine, value: unknown, context: ExecutionContext): RenderResult {
  if (typeof value === 'string') return engine.render(value, context);
  if (value === undefined || value === null) return { output: '' };
  if (typeof value === 'number' || typeof value === 'boolean') return { output: String(value) };
  try {
    return withinOutputLimit(JSON.stringify(value) ?? '');
  } catch (error) {
    return failure(error);
  }
}

function withinOutputLimit(output: string): RenderResult {
  const bytes = utf8Length(output);
  if (bytes <= LIQUID_OUTPUT_LIMIT_BYTES) return { output };
  return {
    output: '',
    warning: {
      code: '81018',
      message: `Template evaluation error: the output is ${bytes} bytes, over Studio's limit of ${LIQUID_OUTPUT_LIMIT_BYTES} bytes (16 KB)`,
    },
    limitExceeded: 'outputSize',
  };
}

function failure(error: unknown): RenderResult {
  const message = error instanceof Error ? error.message : String(error);
  const result: RenderResult = { output: '', warning: { code: '81018', message: `Template evaluation error: ${message}` } };
  const limit = limitOf(error);
  if (limit) result.limitExceeded = limit;
  return result;
}

/** liquidjs wraps what a template throws in a RenderError that keeps it as `originalError`. */
function limitOf(error: unknown): LimitName | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 10; depth++) {
    if (current instanceof LiquidLimitError) return current.limit;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/** UTF-8 length counted by hand: no encoding of a copy, and no reliance on the sandbox's TextEncoder. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else {
        bytes += 3; // a lone surrogate is encoded as U+FFFD
      }
    } else bytes += 3;
  }
  return bytes;
}
