// The last line of defence for log privacy: every serialized log line passes through here before it
// is written, so a phone number or a credential that slipped into a message, an error or a URL is
// masked whatever logged it. Phone numbers keep their last four digits, as in the Web UI.

/** E.164-like numbers (7 to 15 digits after a `+`, also URL-encoded as `%2B`); a masked `+…1234` does not match. */
const PHONE_NUMBER = /(\+|%2B)\d{3,11}(\d{4})(?!\d)/gi;
/** An HTTP Basic credential (base64 of `AccountSid:AuthToken`). */
const BASIC_CREDENTIAL = /\bBasic\s+[A-Za-z0-9+/]{8,}=*/g;

export const REDACTED = '[redacted]';

/** Masks a phone number to its last four digits: `+15551230001` → `+…0001`. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE_NUMBER, (_match, plus: string, lastFour: string) => `${plus}…${lastFour}`);
}

/** Removes the given secrets (auth tokens), Basic credentials and full phone numbers from one log line. */
export function redactLogLine(line: string, secrets: readonly string[] = []): string {
  let redacted = line;
  for (const secret of secrets) if (secret) redacted = redacted.split(secret).join(REDACTED);
  return maskPhoneNumbers(redacted.replace(BASIC_CREDENTIAL, `Basic ${REDACTED}`));
}
