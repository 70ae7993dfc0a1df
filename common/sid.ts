// Twilio resource SIDs: a two-letter prefix and 32 lowercase hex digits.
import { randomFillSync } from 'node:crypto';

/**
 * Random bytes fetched a batch at a time: one call into the CSPRNG per 256 SIDs instead of one per
 * SID (each call costs far more than the 16 bytes it returns; an API start makes two SIDs). The same
 * bytes, as unpredictable; each is used once.
 */
const POOL_SIDS = 256;
const pool = Buffer.alloc(16 * POOL_SIDS);
let poolOffset = pool.length;

export function newSid(prefix: string): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const sid = prefix + pool.toString('hex', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return sid;
}

export function isSid(value: unknown, prefix: string): value is string {
  return typeof value === 'string' && new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value);
}
