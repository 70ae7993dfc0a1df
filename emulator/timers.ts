// Conversation timers: `Timers.Inactive` / `Timers.Closed` are ISO-8601 durations counted from the last
// activity (creation, a new message, a timer update). Minimums and error codes as Twilio's.
import type { ConversationRecord } from './state';
import { badRequest, TwilioErrorCode } from './twilio-errors';

const MINUTE_MS = 60_000;
const MIN_INACTIVE_MS = MINUTE_MS;
const MIN_CLOSED_MS = 10 * MINUTE_MS;

const DURATION = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
// Calendar units have no fixed length; a timer only needs an approximation.
const UNIT_MS = [365 * 86_400_000, 30 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, MINUTE_MS, 1000];

/** Milliseconds of an ISO-8601 duration (`PT10M`, `P1DT2H`), or undefined when it is not one. */
export function parseIsoDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === 'P' || /T$/i.test(text.trim())) return undefined;
  let total = 0;
  for (let i = 0; i < UNIT_MS.length; i += 1) {
    const amount = match[i + 1];
    if (amount !== undefined) total += Number(amount) * UNIT_MS[i];
  }
  return Math.round(total);
}

/** Parses `Timers.Inactive`; 0 (`PT0S`) turns the timer off and reads back as null. */
export function parseInactiveTimer(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  const ms = parseIsoDuration(value);
  if (ms === undefined) throw badRequest(`Timers.Inactive must be an ISO 8601 duration, got "${value}"`, TwilioErrorCode.timeToInactiveInvalid);
  if (ms === 0) return null;
  if (ms < MIN_INACTIVE_MS) throw badRequest('Timers.Inactive should be greater or equal to 1 minute', TwilioErrorCode.timeToInactiveTooShort);
  return ms;
}

export function parseClosedTimer(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  const ms = parseIsoDuration(value);
  if (ms === undefined) throw badRequest(`Timers.Closed must be an ISO 8601 duration, got "${value}"`, TwilioErrorCode.timeToClosedInvalid);
  if (ms === 0) return null;
  if (ms < MIN_CLOSED_MS) throw badRequest('Timers.Closed should be greater or equal to 10 minutes', TwilioErrorCode.timeToClosedTooShort);
  return ms;
}

/** Recomputes when the timers fire, from the last activity. */
export function armTimers(conversation: ConversationRecord): void {
  const from = conversation.lastActivityAt;
  conversation.dateInactive = conversation.state === 'active' && conversation.inactiveTimerMs !== null ? from + conversation.inactiveTimerMs : null;
  conversation.dateClosed = conversation.state !== 'closed' && conversation.closedTimerMs !== null ? from + conversation.closedTimerMs : null;
}

/** The state a conversation's timers put it in at `now`, or undefined when no timer is due. */
export function dueTransition(conversation: ConversationRecord, now: number): 'inactive' | 'closed' | undefined {
  if (conversation.state === 'closed') return undefined;
  if (conversation.dateClosed !== null && conversation.dateClosed <= now) return 'closed';
  if (conversation.state === 'active' && conversation.dateInactive !== null && conversation.dateInactive <= now) return 'inactive';
  return undefined;
}
