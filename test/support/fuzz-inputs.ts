// Generated bad inputs for the fuzz test (test/integration/fuzz.test.ts): a seeded PRNG, so a failure
// reproduces from its seed, and mutators for flow definitions, form bodies and webhook parameters.

/** mulberry32: small, fast and good enough to pick mutations; the same seed gives the same inputs. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, below). */
  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Strings that have broken parsers, databases and loggers before. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'nul\u0000inside',
  '\uD800',
  'lone \uDC00 low surrogate',
  '\uDBFF\uDFFF',
  '\u202Eright-to-left override',
  '\u200F\u200E marks',
  '\uFEFF',
  '\u200B\u200C\u200D',
  'e\u0301\u0301\u0301',
  '😀👍🏽🇺🇸',
  '\r\n\t\u000b\f',
  '%',
  '%zz',
  '{{',
  '{% for i in (1..100000) %}x{% endfor %}',
  '{{ widgets["a"]["b"] | nope }}',
  '${process.exit(1)}',
  "'; DROP TABLE flows; --",
  '__proto__',
  'constructor',
  'toString',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'FW00000000000000000000000000000000',
  'FN00000000000000000000000000000000',
  '+15551234567',
  'whatsapp:+15551234567',
  '1e309',
  'NaN',
  'true',
  'null',
  '[]',
  '{}',
];

const ODD_NUMBERS = [0, -0, -1, 1.5, 2 ** 53 + 1, 1e308, -1e308, 5e-324, 4294967296];

export function oddString(random: SeededRandom): string {
  if (random.chance(0.15)) return hugeString(random);
  const base = random.pick(ODD_STRINGS);
  return random.chance(0.3) ? base + random.pick(ODD_STRINGS) : base;
}

/** 10 to 100 thousand characters (a field of a few dozen is normal); bodies over the size limit come from malformedFormBody. */
export function hugeString(random: SeededRandom): string {
  const unit = random.pick(['a', 'é', '😀', '\u202E', '%', '{{x}}', '\uD800']);
  return unit.repeat(Math.ceil((10_000 + random.int(90_000)) / unit.length));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A sentinel replaced, in the serialized text, by nesting too deep for JSON.stringify to build. */
const DEEP_NESTING = '\u0001deep-nesting\u0001';

function randomScalar(random: SeededRandom): Json {
  switch (random.int(5)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick(ODD_NUMBERS);
    case 3:
      return oddString(random);
    default:
      return random.chance(0.5) ? [] : {};
  }
}

/** Every container in the value with its path, to pick a place to mutate. */
function containers(value: Json): (Json[] | { [key: string]: Json })[] {
  const found: (Json[] | { [key: string]: Json })[] = [];
  const stack: Json[] = [value];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current !== null && typeof current === 'object') {
      found.push(current);
      stack.push(...(Array.isArray(current) ? current : Object.values(current)));
    }
  }
  return found;
}

/** Replaces one value of a container: with another type, null, an odd string, a huge string, deep nesting… */
function replacement(random: SeededRandom, current: Json): Json {
  switch (random.int(9)) {
    case 0:
      return null;
    case 1:
      return typeof current === 'string' ? random.pick(ODD_NUMBERS) : oddString(random);
    case 2:
      return hugeString(random);
    case 3:
      return DEEP_NESTING;
    case 4:
      // An array where an object is expected, or the other way round.
      if (Array.isArray(current)) return Object.fromEntries(current.map((item, index) => [String(index), item]));
      if (current !== null && typeof current === 'object') return Object.values(current);
      return [current];
    case 5:
      return typeof current === 'number' ? String(current) : random.chance(0.5);
    case 6:
      return Array.from({ length: 1 + random.int(3) }, () => randomScalar(random));
    default:
      return oddString(random);
  }
}

/** One random edit of a parsed flow definition, in place. */
function mutateOnce(random: SeededRandom, root: { [key: string]: Json }): void {
  const target = random.pick(containers(root));
  const keys = Array.isArray(target) ? target.map((_, index) => index) : Object.keys(target);
  const operation = random.int(6);
  if (keys.length === 0 || operation === 0) {
    // Add an entry: an odd key (or __proto__) with an odd value.
    if (Array.isArray(target)) target.push(randomScalar(random));
    else Object.defineProperty(target, random.chance(0.3) ? '__proto__' : oddString(random).slice(0, 200), { value: randomScalar(random), enumerable: true, configurable: true, writable: true });
    return;
  }
  const key = random.pick(keys as (string | number)[]);
  if (operation === 1) {
    // Delete a key (or an array item).
    if (Array.isArray(target)) target.splice(key as number, 1);
    else delete target[key as string];
    return;
  }
  if (operation === 2 && !Array.isArray(target)) {
    // Rename a key.
    const value = target[key as string];
    delete target[key as string];
    target[oddString(random).slice(0, 100)] = value;
    return;
  }
  const holder = target as Record<string | number, Json>;
  holder[key] = replacement(random, holder[key]);
}

function deepNesting(random: SeededRandom): string {
  const depth = random.pick([100, 1_000, 10_000, 200_000]);
  const [open, close] = random.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
  return open.repeat(depth) + '0' + close.repeat(depth);
}

/** Raw-text damage: the result is usually not JSON at all. */
function damageText(random: SeededRandom, text: string): string {
  const at = random.int(text.length + 1);
  switch (random.int(5)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + random.pick(['"', '{', ']', ',', '\\', '\\u12', '\u0000', '\uD800', 'NaN', '//']) + text.slice(at);
    case 2:
      return '\uFEFF\uFEFF' + text;
    case 3:
      return JSON.stringify(text); // a definition encoded twice
    default:
      return text.replace(/"/g, "'");
  }
}

/** A mutated flow definition as JSON text: 1–4 structural edits, sometimes raw-text damage on top. */
export function mutatedDefinition(random: SeededRandom, seeds: readonly string[]): string {
  const root = JSON.parse(random.pick(seeds)) as { [key: string]: Json };
  const edits = 1 + random.int(4);
  for (let index = 0; index < edits; index++) mutateOnce(random, root);
  let text = JSON.stringify(root);
  while (text.includes(JSON.stringify(DEEP_NESTING))) text = text.replace(JSON.stringify(DEEP_NESTING), deepNesting(random));
  if (random.chance(0.1)) text = damageText(random, text);
  return text;
}

/** A form field value for a parameter that wants a string: odd, huge, or missing (undefined). */
export function oddFormValue(random: SeededRandom): string | undefined {
  return random.chance(0.1) ? undefined : oddString(random);
}

export type FormFields = [string, string][];

/** The text as a UTF-8 encoder sends it: a lone surrogate becomes U+FFFD (encodeURIComponent would throw). */
export function wellFormed(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Form-encodes fields as a client would (repeated keys stay repeated). */
export function encodeForm(fields: FormFields): string {
  return fields.map(([key, value]) => `${encodeURIComponent(wellFormed(key))}=${encodeURIComponent(wellFormed(value))}`).join('&');
}

/** A raw body that no careful client would send: bad percent-encoding, odd separators, enormous keys. */
export function malformedFormBody(random: SeededRandom, fields: FormFields): string {
  const encoded = encodeForm(fields);
  switch (random.int(8)) {
    case 0:
      return encoded + '&' + random.pick(['%', '%G1', '%E0%A4%A', '%FF%FE', '%C0%AF', '%ED%A0%80', '%00']) + '=' + random.pick(['%', '%%%', '%u0041', '%0']);
    case 1:
      return encoded.replace(/%/g, random.pick(['%%', '%G', '']));
    case 2:
      return '&&&=&==&' + encoded + '&;;;';
    case 3:
      return `${'K'.repeat(100_000 + random.int(400_000))}=1&${encoded}`;
    case 4:
      return encoded + '&' + Array.from({ length: 1_200 }, (_, index) => `k${index}=${index}`).join('&');
    case 5:
      return encoded + '&' + encoded; // every key repeated
    case 6:
      return 'x'.repeat(2 * 1024 * 1024 + 1); // over the limit
    default:
      return encoded.replace(/=/g, random.pick(['', '==', '%3D']));
  }
}
