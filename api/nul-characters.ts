// PostgreSQL text cannot hold U+0000 (the embedded database neither): a NUL that reached a query failed
// there as a 500, sometimes half-way through a request. So a NUL is refused up front as bad input: in
// a URL (path or query) everywhere, and anywhere in the Studio API's parameters. The gateway's bodies
// are the gateway's to judge (map-webhook.ts ignores a webhook whose routing fields are malformed).
import type { NextFunction, Request, Response } from 'express';
import { badRequest } from './twilio-error';

const ENCODED_NUL = /%00/i;

export function refuseNulInUrl(req: Request, _res: Response, next: NextFunction): void {
  next(ENCODED_NUL.test(req.originalUrl) ? badRequest('The URL must not contain a NUL character (%00)') : undefined);
}

export function refuseNulInParameters(req: Request, _res: Response, next: NextFunction): void {
  next(containsNul(req.body) ? badRequest('Parameters must not contain a NUL character') : undefined);
}

/** Looks through every key and string of a parsed body; iterative, so a deeply nested JSON body cannot overflow it. */
function containsNul(body: unknown): boolean {
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000')) return true;
        pending.push(child);
      }
    }
  }
  return false;
}
