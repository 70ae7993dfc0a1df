// The one place that classifies errors from Twilio and HTTP calls: a 4xx (except 429) is final and
// becomes the widget's failure transition; anything else is retried by Temporal with backoff.
import { ApplicationFailure } from '@temporalio/activity';

export const TWILIO_REST_ERROR = 'TwilioRestError';

export interface TwilioErrorDetails {
  status: number;
  code: number;
  message: string;
}

interface RestExceptionLike {
  status?: number;
  code?: number;
  message?: string;
}

export function isFinalStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 429;
}

/** Rethrows any error from a Twilio call as an ApplicationFailure, retryable or not. */
export function classifyTwilioError(error: unknown): never {
  const rest = error as RestExceptionLike;
  const status = typeof rest?.status === 'number' ? rest.status : 0;
  const details: TwilioErrorDetails = {
    status,
    code: typeof rest?.code === 'number' ? rest.code : 0,
    message: typeof rest?.message === 'string' ? rest.message : String(error),
  };
  // No HTTP status: a network failure (ECONNREFUSED, ETIMEDOUT, …) is worth retrying; anything else is
  // the client refusing the request before sending it (a missing parameter) and will not get better.
  const networkFailure = typeof (error as { code?: unknown })?.code === 'string' && /^E[A-Z]+/.test((error as { code: string }).code);
  if (isFinalStatus(status) || (status === 0 && !networkFailure)) {
    throw ApplicationFailure.create({ type: TWILIO_REST_ERROR, message: details.message, details: [details], nonRetryable: true });
  }
  throw ApplicationFailure.create({ type: TWILIO_REST_ERROR, message: details.message, details: [details], nonRetryable: false });
}
