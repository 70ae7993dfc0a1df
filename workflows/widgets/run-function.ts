// run-function: calls a Twilio Function (docs/studio-reference.md §2.9) with the widget's `parameters`
// as a form-encoded POST, signed as Twilio signs its own requests so that a protected Function
// accepts it.
// Events: `success` (a 2xx or 3xx within 10 s, body ≤ 64 kB), `fail` — Studio's spelling — (a 4xx/5xx,
// a timeout, a larger body, an unreachable host: warning 81017).
// Writes widgets.<name>.body, .content_type, .status_code, .parsed (a JSON object only), and
// .headers["x-twilio-function-concurrency"] when the Function's answer carries that header. Studio's
// documented quirk on a re-run of the same widget: body, content_type and status_code are replaced,
// but `parsed` is deep-merged into the previous run's `parsed` when the new answer is a JSON object,
// and kept unchanged when it is not.
//
// Decisions: a 3xx is not followed (it is itself a success); `service_sid`, `environment_sid` and
// `function_sid` only name the Function, the URL is what is called; a failure without an answer
// writes only the previous `parsed`, if any.
import type { JsonObject } from '../engine/types';
import type { WidgetDefinition, WidgetOutcome } from '../engine/widget';
import { deepMerge, isJsonObject, parsedJsonObject, responseOutput } from './http-response';
import { FORM_CONTENT_TYPE } from './make-http-request';
import { renderedPairs } from './properties';

export const runFunctionWidget: WidgetDefinition = {
  type: 'run-function',
  events: ['success', 'fail'],
  async run({ state, render, context }, effects): Promise<WidgetOutcome> {
    const properties = state.properties ?? {};
    const previous = context.widgets[state.name]?.parsed;
    const previousParsed = isJsonObject(previous) ? previous : undefined;
    const outcome = await effects.httpRequest({
      widgetName: state.name,
      method: 'POST',
      url: render(properties.url).trim(),
      contentType: FORM_CONTENT_TYPE,
      formParameters: renderedPairs(render, properties.parameters),
      followRedirects: false,
      signWithTwilio: true,
    });
    if (outcome.failure || outcome.statusCode === null) {
      const output: JsonObject = previousParsed ? { parsed: previousParsed } : {};
      return { event: 'fail', output, warnings: [{ code: '81017', message: outcome.error ?? 'The Function could not be run' }] };
    }
    const output = responseOutput(outcome);
    if (outcome.functionConcurrency !== undefined) output.headers = { 'x-twilio-function-concurrency': outcome.functionConcurrency };
    const parsed = parsedJsonObject(outcome);
    if (previousParsed) output.parsed = parsed ? deepMerge(previousParsed, parsed) : previousParsed;
    if (outcome.statusCode >= 200 && outcome.statusCode < 400) return { event: 'success', output };
    return { event: 'fail', output, warnings: [{ code: '81017', message: `The Function answered with status ${outcome.statusCode}` }] };
  },
};
