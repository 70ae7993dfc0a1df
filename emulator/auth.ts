// HTTP Basic auth with the account SID and auth token, answered as Twilio answers a wrong credential.
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { TwilioApiError, TwilioErrorCode } from './twilio-errors';

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function requireAccountCredentials(accountSid: string, authToken: string): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    if (match) {
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const separator = decoded.indexOf(':');
      if (separator > 0 && sameText(decoded.slice(0, separator), accountSid) && sameText(decoded.slice(separator + 1), authToken)) {
        next();
        return;
      }
    }
    res.set('WWW-Authenticate', 'Basic realm="Twilio API"');
    next(new TwilioApiError(401, TwilioErrorCode.authenticate, 'Authenticate'));
  };
}
