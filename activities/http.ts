// Make HTTP Request and Run Function: one HTTP call with Studio's limits (2xx-or-not decided by the
// widget; 10 s; 64 kB) and Studio's ways of authenticating (credentials in the URL, "Authenticate with
// Twilio", a Twilio signature for a protected Function). It answers every outcome and never throws:
// an HTTP error status is a response, and a timeout, a refused connection or an oversized answer is
// a failure the widget turns into its failure transition. Nothing here is retried (Studio retries
// nothing either).
import twilio from 'twilio';
import type { HttpFailure, HttpRequestSpec, HttpResponseOutcome } from '../workflows/engine/effects';

export const HTTP_TIMEOUT_MS = 10_000;
export const HTTP_MAX_RESPONSE_BYTES = 64 * 1024;

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=utf-8';
// What Twilio's own webhooks and Studio's requests announce themselves as.
const USER_AGENT = 'TwilioProxy/1.1';

export interface HttpActivityDependencies {
  /** The account "Authenticate with Twilio" and Function signatures use; without it they are refused. */
  accountSid?: string;
  authToken?: string;
  /** Where Twilio API URLs are sent when set (the emulator), as for the twilio client (TWILIO_API_BASE_URL). */
  twilioApiBaseUrl?: string;
  /** Studio's limits by default; tests shorten the timeout. */
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export const FUNCTION_CONCURRENCY_HEADER = 'x-twilio-function-concurrency';

interface PreparedRequest {
  url: string;
  init: RequestInit;
}

export function createHttpActivities(dependencies: HttpActivityDependencies) {
  const timeoutMs = dependencies.timeoutMs ?? HTTP_TIMEOUT_MS;
  const maxResponseBytes = dependencies.maxResponseBytes ?? HTTP_MAX_RESPONSE_BYTES;
  return {
    async httpRequest(spec: HttpRequestSpec): Promise<HttpResponseOutcome> {
      const prepared = prepareRequest(spec, dependencies);
      if (typeof prepared === 'string') return failure('invalidRequest', prepared);
      // One deadline for the whole exchange: connecting, redirects, and reading the body.
      const signal = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(prepared.url, { ...prepared.init, signal });
      } catch (error) {
        return transportFailure(error, timeoutMs);
      }
      const statusCode = response.status;
      const contentType = response.headers.get('content-type');
      // Twilio Functions report their concurrency in this header; Run Function exposes it (Studio's docs).
      const functionConcurrency = response.headers.get(FUNCTION_CONCURRENCY_HEADER);
      try {
        const body = await readAtMost(response, maxResponseBytes);
        if (body === null) return { ...failure('tooLarge', `The response is larger than ${maxResponseBytes} bytes`), statusCode, contentType };
        return functionConcurrency === null ? { statusCode, contentType, body } : { statusCode, contentType, body, functionConcurrency };
      } catch (error) {
        return { ...transportFailure(error, timeoutMs), statusCode, contentType };
      }
    },
  };
}

/** The URL and fetch options for a spec, or why it cannot be sent (Studio's 81014). */
function prepareRequest(spec: HttpRequestSpec, dependencies: HttpActivityDependencies): PreparedRequest | string {
  let url: URL;
  try {
    url = new URL(spec.url.trim());
  } catch {
    return `Invalid URL: ${JSON.stringify(spec.url)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `Only http and https URLs can be requested, not ${url.protocol}`;
  for (const { key, value } of spec.parameters ?? []) url.searchParams.append(key, value);

  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  // fetch refuses a URL with credentials: they become a Basic Authorization header.
  if (url.username || url.password) {
    headers.authorization = basic(decodeURIComponent(url.username), decodeURIComponent(url.password));
    url.username = '';
    url.password = '';
  }
  if (spec.addTwilioAuth) {
    if (!isTwilioHost(url.hostname)) return `Authenticate with Twilio is only for Twilio API URLs, not ${url.hostname}`;
    if (!dependencies.accountSid || !dependencies.authToken) return 'Authenticate with Twilio needs the account credentials, and this worker has none';
    url = toTwilioApiBase(url, dependencies.twilioApiBaseUrl);
    headers.authorization = basic(dependencies.accountSid, dependencies.authToken);
  }

  let body: string | undefined;
  const form = spec.formParameters ?? [];
  if (spec.method === 'POST') {
    headers['content-type'] = spec.contentType || FORM_CONTENT_TYPE;
    body = form.length > 0 ? new URLSearchParams(form.map(({ key, value }): [string, string] => [key, value])).toString() : (spec.body ?? '');
  }
  if (spec.signWithTwilio && dependencies.authToken) {
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(dependencies.authToken, url.toString(), signedParameters(spec.method === 'POST' ? form : []));
  }
  return { url: url.toString(), init: { method: spec.method, headers, body, redirect: spec.followRedirects === false ? 'manual' : 'follow' } };
}

function isTwilioHost(hostname: string): boolean {
  return hostname === 'twilio.com' || hostname.endsWith('.twilio.com');
}

/** A Twilio API URL sent to the configured base instead (the emulator), keeping path and query. */
function toTwilioApiBase(url: URL, baseUrl: string | undefined): URL {
  if (!baseUrl) return url;
  return new URL(baseUrl.replace(/\/+$/, '') + url.pathname + url.search);
}

function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/** Form parameters as the signature function takes them: a repeated key becomes a list. */
function signedParameters(form: { key: string; value: string }[]): Record<string, string | string[]> {
  const parameters: Record<string, string | string[]> = {};
  for (const { key, value } of form) {
    const existing = parameters[key];
    parameters[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return parameters;
}

/** The body as text, or null once it passes `maxBytes` (read no further than one chunk past it). */
async function readAtMost(response: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function failure(kind: HttpFailure, error: string): HttpResponseOutcome {
  return { statusCode: null, contentType: null, body: null, failure: kind, error };
}

function transportFailure(error: unknown, timeoutMs: number): HttpResponseOutcome {
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return failure('timeout', `No complete response within ${timeoutMs / 1000} s`);
  // fetch hides the system error (ECONNREFUSED, ENOTFOUND...) in `cause`.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : String(error);
  return failure('transport', `The request failed: ${detail}`);
}
