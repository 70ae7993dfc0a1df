// HTTP Basic auth with the account SID and auth token, as Twilio's REST API. The comparison is
// constant-time so that timing reveals nothing about the token.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendTwilioError, TwilioApiError } from './twilio-error';

/** A secret's fixed-length digest: timingSafeEqual needs equal lengths, and the lengths must not leak either. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function basicAuth(accountSid: string, authToken: string) {
  // The expected digests are made once, not per request.
  const expectedUser = digest(accountSid);
  const expectedPassword = digest(authToken);
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    const [user, ...rest] = match ? Buffer.from(match[1], 'base64').toString('utf8').split(':') : [''];
    const password = rest.join(':');
    // Evaluate both comparisons always: no early exit on the user name.
    const userOk = timingSafeEqual(digest(user ?? ''), expectedUser);
    const passwordOk = timingSafeEqual(digest(password), expectedPassword);
    if (match && userOk && passwordOk) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
    sendTwilioError(res, new TwilioApiError(401, 20003, 'Authentication Error - invalid username'));
  };
}
