// Errors leave the API in Twilio's shape: {code, message, more_info, status[, details]}.
import type { Response } from 'express';

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }
}

export function twilioErrorBody(status: number, code: number, message: string, details?: Record<string, unknown>) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status, ...(details ? { details } : {}) };
}

export function sendTwilioError(res: Response, error: TwilioApiError): void {
  res.status(error.status).json(twilioErrorBody(error.status, error.code, error.message, error.details));
}

export const notFound = (what: string) => new TwilioApiError(404, 20404, `The requested resource ${what} was not found`);
export const badRequest = (message: string, code = 20001) => new TwilioApiError(400, code, message);
export const missingParameter = (name: string) => new TwilioApiError(400, 20001, `Missing required parameter ${name} in the post body`);
