// Outgoing webhooks, sent as Twilio sends them: form-encoded, signed with X-Twilio-Signature over the
// exact URL plus the sorted parameters, a 5 s timeout, one retry on a 5xx or a timeout, and an
// I-Twilio-Idempotency-Token that stays the same across the retry.
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';

export type WebhookParams = Record<string, string>;

export interface OutgoingWebhook {
  url: string;
  method: 'GET' | 'POST';
  params: WebhookParams;
  /** What this call is, for the delivery log (e.g. "onMessageAdded CH…"). */
  description: string;
  /** Extra attempts after a 5xx or a timeout. */
  retries?: number;
  /** Adds Twilio's RetryCount parameter (0 on the first attempt), as Conversations webhooks carry it. */
  withRetryCount?: boolean;
}

export interface WebhookOutcome {
  ok: boolean;
  status: number | null;
  body: string;
  attempts: number;
  error: string | null;
}

export interface WebhookLogEntry extends WebhookOutcome {
  url: string;
  method: 'GET' | 'POST';
  description: string;
  idempotencyToken: string;
  at: string;
  /** The parameters and X-Twilio-Signature of the last attempt: enough to replay the exact request (a duplicate delivery). */
  params: WebhookParams;
  signature: string;
}

/** X-Twilio-Signature for a request to `url` with form `params` (a GET signs the URL with its query and no params). */
export function signTwilioRequest(authToken: string, url: string, params: WebhookParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

const LOG_LIMIT = 200;

export interface WebhookSenderOptions {
  authToken: string;
  timeoutMs: number;
  onOutcome?: (entry: WebhookLogEntry) => void;
}

export class WebhookSender {
  /** Most recent deliveries first, for GET /Emulator/Webhooks. */
  readonly log: WebhookLogEntry[] = [];
  private abortController = new AbortController();

  constructor(private readonly options: WebhookSenderOptions) {}

  async send(webhook: OutgoingWebhook): Promise<WebhookOutcome> {
    const idempotencyToken = randomUUID();
    // Captured once: a reset during this delivery aborts it for good instead of retrying on a fresh controller.
    const cancellation = this.abortController.signal;
    const retries = webhook.retries ?? 1;
    let outcome: WebhookOutcome = { ok: false, status: null, body: '', attempts: 0, error: null };
    let sent = { params: webhook.params, signature: '' };
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      const params = webhook.withRetryCount ? { ...webhook.params, RetryCount: String(attempt) } : webhook.params;
      const { signature, ...result } = await this.attempt(webhook, params, idempotencyToken, cancellation);
      sent = { params, signature };
      outcome = { ...result, attempts: attempt + 1 };
      const retryable = outcome.status === null ? !cancellation.aborted : outcome.status >= 500;
      if (outcome.ok || !retryable) break;
    }
    const entry: WebhookLogEntry = {
      ...outcome,
      url: webhook.url,
      method: webhook.method,
      description: webhook.description,
      idempotencyToken,
      at: new Date().toISOString(),
      ...sent,
    };
    this.log.unshift(entry);
    this.log.length = Math.min(this.log.length, LOG_LIMIT);
    this.options.onOutcome?.(entry);
    return outcome;
  }

  /** Cancels every request in flight and forgets the log (reset and close). */
  abortAll(): void {
    this.abortController.abort();
    this.abortController = new AbortController();
    this.log.length = 0;
  }

  private async attempt(
    webhook: OutgoingWebhook,
    params: WebhookParams,
    idempotencyToken: string,
    cancellation: AbortSignal,
  ): Promise<Omit<WebhookOutcome, 'attempts'> & { signature: string }> {
    const form = new URLSearchParams(params).toString();
    const isGet = webhook.method === 'GET';
    const url = isGet && form ? `${webhook.url}${webhook.url.includes('?') ? '&' : '?'}${form}` : webhook.url;
    const signature = signTwilioRequest(this.options.authToken, url, isGet ? {} : params);
    const headers: Record<string, string> = {
      'X-Twilio-Signature': signature,
      'I-Twilio-Idempotency-Token': idempotencyToken,
      'User-Agent': 'TwilioProxy/1.1',
      Accept: '*/*',
    };
    if (!isGet) headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
    const signal = AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), cancellation]);
    try {
      const response = await fetch(url, { method: webhook.method, headers, body: isGet ? undefined : form, signal });
      const body = await response.text();
      return { ok: response.status >= 200 && response.status < 400, status: response.status, body, error: null, signature };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return { ok: false, status: null, body: '', error: timedOut ? `timed out after ${this.options.timeoutMs} ms` : describe(error), signature };
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
