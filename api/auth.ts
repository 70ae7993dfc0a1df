// HTTP Basic auth with the account SID and auth token, as Twilio's REST API. The comparison is
// constant-time so that timing reveals nothing about the token.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendTwilioError, TwilioApiError } from './twilio-error';

function sameSecret(a: string, b: string): boolean {
  // Hash first: timingSafeEqual needs equal lengths, and the lengths must not leak either.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function basicAuth(accountSid: string, authToken: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    const [user, ...rest] = match ? Buffer.from(match[1], 'base64').toString('utf8').split(':') : [''];
    const password = rest.join(':');
    // Evaluate both comparisons always: no early exit on the user name.
    const userOk = sameSecret(user ?? '', accountSid);
    const passwordOk = sameSecret(password, authToken);
    if (match && userOk && passwordOk) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
    sendTwilioError(res, new TwilioApiError(401, 20003, 'Authentication Error - invalid username'));
  };
}
