// Twilio resource SIDs: a two-letter prefix and 32 lowercase hex digits.
import { randomBytes } from 'node:crypto';

export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export function isSid(value: unknown, prefix: string): value is string {
  return typeof value === 'string' && new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value);
}
