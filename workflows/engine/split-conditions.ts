// Split Based On's 17 condition types (docs/studio-reference.md §2.4, DESIGN.md decision 4).
// Pure: no Liquid here; the widget renders the tested value and the condition value first.
//
// Decisions (Studio's docs are silent on all of these unless noted):
// - Every test trims both sides and ignores case (documented Studio rule). Case folding is
//   `toLowerCase()`, which is locale-independent, so the host's locale cannot change a result.
// - A `value` that is not a string (decision 13: real exports carry numbers) is compared as its
//   text: numbers and booleans via String(), null/undefined as '', objects and arrays as JSON.
// - An unknown condition type is false (the validator reports it; evaluation never throws).
// - matches_any_of / does_not_match_any_of: split on ',', trim each item, ignore empty items
//   ("yes,,no," is the list [yes, no]); there is no escape for a comma. An empty list matches
//   nothing, so does_not_match_any_of with an empty list is true.
// - contains / starts_with with an empty value are true (every string contains and starts with '').
// - regex: a JavaScript pattern without slashes, always case-insensitive, that must match the whole
//   trimmed value (as Java's `matches()`, which Studio's `(?i)` exports suggest it uses). The pattern
//   is trimmed too. Leading inline-flag groups such as `(?i)`, `(?s)`, `(?im)` or `(?i-s)` are
//   stripped: `s` and `m` become the JavaScript flags, the rest are accepted and ignored (`i` is
//   always on). No `u` flag: Java-style escapes such as `\-` are syntax errors in unicode mode.
//   An invalid pattern (including Java-only syntax like possessive `a++`) is false, never an error.
//   A catastrophic-backtracking pattern is not defended against (the flow author's choice).
// - less_than / greater_than: both sides must be plain decimals after trimming: optional sign,
//   digits, optional fraction ("12", "-1.5", "+.5", "12."). Exponents ("1e3"), thousands
//   separators, hex, Infinity and NaN are not numbers here, so the test is false. The comparison is
//   exact on the decimal digits (no floating-point rounding, so long IDs compare correctly).
// - is_before_time / is_after_time: both sides must be 24-hour zero-padded HH:MM ("09:05"; "9:05",
//   "24:00" and "09:05:00" are malformed, as Studio asks for zero-padding) → false when malformed.
// - is_before_date / is_after_date: both sides must be real calendar dates YYYY-MM-DD ("2019-02-29"
//   is malformed) → false when malformed. Before/after are strict: an equal time or date is neither.
// - is_blank / is_not_blank ignore `value` (decision 13); blank means empty after trimming.

export const CONDITION_TYPES: readonly string[] = Object.freeze([
  'equal_to',
  'not_equal_to',
  'matches_any_of',
  'does_not_match_any_of',
  'is_blank',
  'is_not_blank',
  'regex',
  'contains',
  'does_not_contain',
  'starts_with',
  'does_not_start_with',
  'less_than',
  'greater_than',
  'is_before_time',
  'is_after_time',
  'is_before_date',
  'is_after_date',
]);

/** Whether `tested` satisfies the condition `type` with its `value`; false for unknown types. */
export function evaluateCondition(type: string, tested: string, value: unknown): boolean {
  // `tested` is typed string, but a caller's value may come straight from JSON.
  const testedText = valueText(tested);
  const valueString = valueText(value);
  switch (type) {
    case 'equal_to':
      return fold(testedText) === fold(valueString);
    case 'not_equal_to':
      return fold(testedText) !== fold(valueString);
    case 'matches_any_of':
      return matchesAnyOf(testedText, valueString);
    case 'does_not_match_any_of':
      return !matchesAnyOf(testedText, valueString);
    case 'is_blank':
      return testedText.trim() === '';
    case 'is_not_blank':
      return testedText.trim() !== '';
    case 'regex':
      return matchesWholeRegex(testedText, valueString);
    case 'contains':
      return fold(testedText).includes(fold(valueString));
    case 'does_not_contain':
      return !fold(testedText).includes(fold(valueString));
    case 'starts_with':
      return fold(testedText).startsWith(fold(valueString));
    case 'does_not_start_with':
      return !fold(testedText).startsWith(fold(valueString));
    case 'less_than':
      return compareDecimals(testedText, valueString) === -1;
    case 'greater_than':
      return compareDecimals(testedText, valueString) === 1;
    case 'is_before_time':
      return compareFormatted(testedText, valueString, isTime) === -1;
    case 'is_after_time':
      return compareFormatted(testedText, valueString, isTime) === 1;
    case 'is_before_date':
      return compareFormatted(testedText, valueString, isDate) === -1;
    case 'is_after_date':
      return compareFormatted(testedText, valueString, isDate) === 1;
    default:
      return false;
  }
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // A cyclic value cannot come from JSON; treat it as no value rather than throw.
    return '';
  }
}

function fold(text: string): string {
  return text.trim().toLowerCase();
}

function matchesAnyOf(tested: string, list: string): boolean {
  const folded = fold(tested);
  return list
    .split(',')
    .map(fold)
    .some((item) => item !== '' && item === folded);
}

const LEADING_INLINE_FLAGS = /^\(\?([a-zA-Z]*(?:-[a-zA-Z]*)?)\)/;

/**
 * Compiles a split's regex as Studio runs it: trimmed, leading Java inline-flag groups such as `(?i)`
 * or `(?i-s)` dropped (`s` and `m` become JavaScript flags; matching is case-insensitive anyway), and
 * anchored to match the whole value. The validator uses it too, so deploy-time and run-time agree.
 */
export function compileStudioRegex(pattern: string): { ok: true; expression: RegExp } | { ok: false; error: string } {
  let source = pattern.trim();
  let dotAll = false;
  let multiline = false;
  for (let group = LEADING_INLINE_FLAGS.exec(source); group; group = LEADING_INLINE_FLAGS.exec(source)) {
    // Flags after '-' are switched off in Java; only the switched-on ones matter to us.
    const enabled = group[1].split('-')[0];
    if (enabled.includes('s')) dotAll = true;
    if (enabled.includes('m')) multiline = true;
    source = source.slice(group[0].length);
  }
  const flags = `i${dotAll ? 's' : ''}${multiline ? 'm' : ''}`;
  try {
    // Compiled alone first: wrapped, an unbalanced pattern such as `[abc` could swallow the wrapper
    // and turn valid.
    new RegExp(source, flags);
    // Anchored with lookarounds rather than ^/$ so that a `m` flag cannot turn a whole-value match
    // into a line match; the group keeps alternations (`a|ab`) inside the anchors.
    return { ok: true, expression: new RegExp(`(?<![\\s\\S])(?:${source})(?![\\s\\S])`, flags) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function matchesWholeRegex(tested: string, pattern: string): boolean {
  const compiled = compileStudioRegex(pattern);
  return compiled.ok && compiled.expression.test(tested.trim());
}

const DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))$/;

interface Decimal {
  negative: boolean;
  integer: string; // no leading zeros, '' for zero
  fraction: string; // no trailing zeros
}

function parseDecimal(text: string): Decimal | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const integer = (match[2] ?? '').replace(/^0+/, '');
  const fraction = (match[3] ?? match[4] ?? '').replace(/0+$/, '');
  const isZero = integer === '' && fraction === '';
  return { negative: match[1] === '-' && !isZero, integer, fraction };
}

/** -1, 0 or 1, or null when either side is not a plain decimal. */
function compareDecimals(left: string, right: string): -1 | 0 | 1 | null {
  const a = parseDecimal(left);
  const b = parseDecimal(right);
  if (!a || !b) return null;
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const magnitude = compareMagnitudes(a, b);
  if (!a.negative || magnitude === 0) return magnitude;
  return magnitude === 1 ? -1 : 1;
}

function compareMagnitudes(a: Decimal, b: Decimal): -1 | 0 | 1 {
  if (a.integer.length !== b.integer.length) return a.integer.length < b.integer.length ? -1 : 1;
  if (a.integer !== b.integer) return a.integer < b.integer ? -1 : 1;
  // Same integer part: compare fractions digit by digit, padding the shorter with zeros.
  const length = Math.max(a.fraction.length, b.fraction.length);
  const left = a.fraction.padEnd(length, '0');
  const right = b.fraction.padEnd(length, '0');
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isTime(text: string): boolean {
  return TIME.test(text);
}

function isDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= daysInMonth;
}

/** Zero-padded fixed-width values compare correctly as strings; null when either side is malformed. */
function compareFormatted(left: string, right: string, isWellFormed: (text: string) => boolean): -1 | 0 | 1 | null {
  const a = left.trim();
  const b = right.trim();
  if (!isWellFormed(a) || !isWellFormed(b)) return null;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
