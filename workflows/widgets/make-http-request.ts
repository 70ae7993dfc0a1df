// make-http-request: calls a URL outside Studio and exposes the answer (docs/studio-reference.md §2.8).
// Events: `success` (a 2xx within 10 s, redirects followed, body ≤ 64 kB), `failed` (a 4xx/5xx, a
// timeout, a larger body, an unreachable host: warning 81016; a URL that cannot be requested, or
// "Authenticate with Twilio" on a non-Twilio URL, which is never sent: 81014).
// Writes widgets.<name>.body, .content_type, .status_code, and .parsed when the answer is a JSON
// object served as JSON — on `failed` too when there was an answer; nothing ({}) when there was none.
//
// Decisions (Studio documents the Console, not the JSON):
// - `parameters` are the Console's "HTTP Parameters": in a form POST they are the form-encoded body
//   (what the form POSTs of real exports rely on); otherwise they are added to the URL's query
//   string. A form POST without parameters sends `body` as written.
// - A JSON POST sends the rendered `body` as is (authors write JSON with Liquid inside).
// - `content_type` is sent as written; absent or empty means the Console's default, the form type.
// - `parsed` is replaced on every run (the merge is documented for Run Function only).
import type { HttpRequestSpec } from '../engine/effects';
import type { WidgetDefinition, WidgetOutcome } from '../engine/widget';
import { responseOutput } from './http-response';
import { renderedPairs } from './properties';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=utf-8';

export function isFormContentType(contentType: string): boolean {
  return contentType.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

export const makeHttpRequestWidget: WidgetDefinition = {
  type: 'make-http-request',
  events: ['success', 'failed'],
  async run({ state, render }, effects): Promise<WidgetOutcome> {
    const properties = state.properties ?? {};
    const method = String(properties.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
    const contentType = typeof properties.content_type === 'string' && properties.content_type !== '' ? properties.content_type : FORM_CONTENT_TYPE;
    const parameters = renderedPairs(render, properties.parameters);
    const formPost = method === 'POST' && isFormContentType(contentType) && parameters.length > 0;
    const request: HttpRequestSpec = {
      widgetName: state.name,
      method,
      url: render(properties.url).trim(),
      contentType,
      addTwilioAuth: properties.add_twilio_auth === true || properties.add_twilio_auth === 'true',
    };
    if (formPost) request.formParameters = parameters;
    else if (parameters.length > 0) request.parameters = parameters;
    if (method === 'POST' && !formPost) request.body = render(properties.body);

    const outcome = await effects.httpRequest(request);
    if (outcome.failure || outcome.statusCode === null) {
      const code = outcome.failure === 'invalidRequest' ? '81014' : '81016';
      return { event: 'failed', output: {}, warnings: [{ code, message: outcome.error ?? 'The HTTP request failed' }] };
    }
    const output = responseOutput(outcome);
    if (outcome.statusCode >= 200 && outcome.statusCode < 300) return { event: 'success', output };
    return { event: 'failed', output, warnings: [{ code: '81016', message: `The request answered with status ${outcome.statusCode}` }] };
  },
};
