// Fuzz (issue 7): 2,000 generated bad inputs — mutated flow definitions (from the fixtures and, when
// ../shared is here, the corpus), malformed form bodies, odd JSON bodies, huge and odd strings — thrown
// at Validate, create, update, Executions create and the webhook gateway (signed and unsigned). Whatever
// comes in: no 5xx, every error in Twilio's shape, nothing stored by a refused request, only valid
// definitions ever stored, and the server still answers at the end. The PRNG is seeded: a failure
// prints its seed and input; FUZZ_SEED=<seed> reruns it (FUZZ_CASES changes the count).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDefinition, validateDefinition } from '../../workflows/engine/validate';
import { flow, flowWebhookUrl, publish, trigger } from '../support/conversation-flows';
import { encodeForm, hugeString, malformedFormBody, mutatedDefinition, oddString, SeededRandom, wellFormed, type FormFields } from '../support/fuzz-inputs';
import { SHARED_DIR } from '../support/paths';
import { startStack, twilio, type Stack } from '../support/stack';

const SEED = Number(process.env.FUZZ_SEED ?? 20240607);
const CASES = Number(process.env.FUZZ_CASES ?? 2000);

/** The valid flows the mutations start from: the fixtures, plus the corpus's accepted flows when ../shared is here. */
function seedDefinitions(): string[] {
  const fixtures = path.join(__dirname, '../fixtures/flows');
  const seeds = fs.readdirSync(fixtures).map((file) => fs.readFileSync(path.join(fixtures, file), 'utf8'));
  const corpus = path.join(SHARED_DIR, 'studio-flows', 'accepted');
  if (fs.existsSync(corpus)) {
    for (const file of fs.readdirSync(corpus).filter((name) => name.endsWith('.json'))) seeds.push(fs.readFileSync(path.join(corpus, file), 'utf8'));
  } else {
    console.warn(`fuzz: ${corpus} is not here (../shared is absent on a fresh clone); mutating the fixtures only`);
  }
  return seeds;
}

interface FuzzRequest {
  target: 'validate' | 'create' | 'update' | 'execution' | 'gateway';
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The Definition the server will read, when the body is a well-formed form (for the "only valid is stored" check). */
  definition?: string;
}

/** encodeURIComponent that never throws: a lone surrogate is sent as U+FFFD, as any UTF-8 encoder does. */
const percentEncode = (text: string) => encodeURIComponent(wellFormed(text));

function authorization(random: SeededRandom, stack: Stack): Record<string, string> {
  const good = 'Basic ' + Buffer.from(`${stack.config.accountSid}:${stack.config.authToken}`).toString('base64');
  if (random.chance(0.95)) return { authorization: good };
  // Short: headers over Node's 16 kB are refused by its HTTP parser (431, no body) before the app sees them.
  return random.pick<Record<string, string>>([{}, { authorization: 'Basic ' + Buffer.from(`${stack.config.accountSid}:${wellFormed(oddString(random).slice(0, 200))}`).toString('base64') }, { authorization: 'Basic %%%' }]);
}

/** A body for a Studio API form: well-formed (most), malformed, JSON, or with an odd content type. */
function apiBody(random: SeededRandom, fields: FormFields): { body: string; contentType: string; plainForm: boolean } {
  const roll = random.next();
  if (roll < 0.7) return { body: encodeForm(fields), contentType: 'application/x-www-form-urlencoded', plainForm: true };
  if (roll < 0.85) return { body: malformedFormBody(random, fields.map(([key, value]) => [key, wellFormed(value)])), contentType: 'application/x-www-form-urlencoded', plainForm: false };
  if (roll < 0.95) {
    // JSON, which Twilio's API does not take: fields of odd types, or not an object at all.
    const object: Record<string, unknown> = Object.fromEntries(fields.map(([key, value]) => [key, random.chance(0.3) ? random.pick([null, 1, true, [value], { value }]) : value]));
    const body = random.chance(0.8) ? JSON.stringify(object) : random.pick(['null', '"text"', '[1,2]', '{"a":', '{"Definition": 1e999}', '['.repeat(5000) + ']'.repeat(5000)]);
    return { body, contentType: 'application/json', plainForm: false };
  }
  return {
    body: encodeForm(fields),
    contentType: random.pick(['text/plain', 'application/x-www-form-urlencoded; charset=latin1', 'application/x-www-form-urlencoded; charset=utf-16', 'application/json; charset=koi8-r', 'multipart/form-data; boundary=x', '']),
    plainForm: false,
  };
}

function flowFields(random: SeededRandom, definition: string): FormFields {
  const fields: FormFields = [];
  if (!random.chance(0.05)) fields.push(['FriendlyName', random.chance(0.7) ? 'fuzz' : oddString(random)]);
  if (!random.chance(0.05)) fields.push(['Status', random.chance(0.85) ? random.pick(['draft', 'published']) : oddString(random)]);
  if (!random.chance(0.03)) fields.push(['Definition', definition]);
  if (random.chance(0.2)) fields.push(['CommitMessage', oddString(random)]);
  // A repeated key: the server reads the first.
  if (random.chance(0.1) && fields.length > 0) fields.push([random.pick(fields)[0], oddString(random)]);
  return fields;
}

/** An odd flow SID for a path: an unknown one, one of another kind, or text that is not a SID at all. */
function oddPathSegment(random: SeededRandom): string {
  return random.pick([
    'FW' + '0'.repeat(32),
    'FN' + 'f'.repeat(32),
    '%00',
    '%ZZ',
    '%E0%A4%A',
    encodeURIComponent('💥\u202E'),
    'a'.repeat(5000),
    // Short enough to stay under Node's 16 kB header limit (beyond it Node answers 431 before the app runs).
    percentEncode(oddString(random).slice(0, 200)) || 'x',
  ]);
}

/** Parameters for a Messaging or Conversations webhook: plausible keys, odd values, sometimes repeated. */
function webhookParams(random: SeededRandom): Record<string, string | string[]> {
  const plausible: Record<string, () => string> = {
    EventType: () => random.pick(['onMessageAdded', 'onDeliveryUpdated', 'onConversationAdded', 'onMessageAdded ', '']),
    MessageSid: () => 'SM' + createHash('md5').update(String(random.next())).digest('hex'),
    SmsSid: () => 'SM' + createHash('md5').update(String(random.next())).digest('hex'),
    From: () => `+1555${String(random.int(1e7)).padStart(7, '0')}`,
    To: () => `+1500${String(random.int(1e7)).padStart(7, '0')}`,
    Body: () => 'hello',
    ConversationSid: () => 'CH' + createHash('md5').update(String(random.next())).digest('hex'),
    Author: () => `+1555${String(random.int(1e7)).padStart(7, '0')}`,
    Index: () => String(random.int(10)),
    MessageStatus: () => random.pick(['delivered', 'failed', 'undelivered', 'sent']),
    Status: () => random.pick(['delivered', 'failed']),
    ErrorCode: () => random.pick(['30003', '']),
    AccountSid: () => 'AC00000000000000000000000000000000',
    Attributes: () => random.pick(['{}', '{"studio_idempotency_key":"x"}', '{', 'null']),
    Source: () => 'SMS',
  };
  const params: Record<string, string | string[]> = {};
  for (const [key, make] of Object.entries(plausible)) {
    if (!random.chance(0.5)) continue;
    const value = random.chance(0.6) ? make() : oddString(random);
    params[key] = random.chance(0.05) ? [value, oddString(random)] : value;
  }
  if (random.chance(0.2)) params[oddString(random).slice(0, 300) || 'x'] = oddString(random);
  if (random.chance(0.05)) params['K'.repeat(100_000)] = '1';
  return params;
}

function generate(random: SeededRandom, stack: Stack, seeds: readonly string[], sids: { target: string; runner: string }): FuzzRequest {
  const roll = random.next();
  if (roll < 0.6) {
    const target = roll < 0.2 ? 'validate' : roll < 0.4 ? 'create' : 'update';
    const definition = random.chance(0.9) ? mutatedDefinition(random, seeds) : random.pick(['', ' ', 'null', '[]', '"{}"', hugeString(random), '{'.repeat(100_000)]);
    const fields = flowFields(random, definition);
    const { body, contentType, plainForm } = apiBody(random, fields);
    const flowPath = target === 'validate' ? '/v2/Flows/Validate' : target === 'create' ? '/v2/Flows' : `/v2/Flows/${random.chance(0.9) ? sids.target : oddPathSegment(random)}`;
    const firstDefinition = fields.find(([key]) => key === 'Definition')?.[1];
    return {
      target,
      method: 'POST',
      path: flowPath,
      headers: { ...authorization(random, stack), ...(contentType ? { 'content-type': contentType } : {}) },
      body,
      definition: plainForm && firstDefinition !== undefined ? wellFormed(firstDefinition) : undefined,
    };
  }
  if (roll < 0.8) {
    const fields: FormFields = [];
    const address = () => (random.chance(0.5) ? `+1555${String(random.int(1e7)).padStart(7, '0')}` : oddString(random));
    if (!random.chance(0.1)) fields.push(['To', address()]);
    if (!random.chance(0.1)) fields.push(['From', address()]);
    if (random.chance(0.7)) {
      fields.push([
        'Parameters',
        random.pick([
          '{"name":"Ann"}',
          '{',
          '[1,2]',
          '"text"',
          '42',
          'null',
          '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
          '{"a":"\\ud800\\u202e\\u0000"}',
          '{"a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}',
          '{"deep":' + '{"a":'.repeat(200_000) + '0' + '}'.repeat(200_000) + '}',
          JSON.stringify({ big: hugeString(random) }),
          mutatedDefinition(random, seeds),
          oddString(random),
        ]),
      ]);
    }
    if (random.chance(0.1) && fields.length > 0) fields.push([random.pick(fields)[0], oddString(random)]);
    const { body, contentType } = apiBody(random, fields);
    return {
      target: 'execution',
      method: 'POST',
      path: `/v2/Flows/${random.chance(0.9) ? sids.runner : oddPathSegment(random)}/Executions`,
      headers: { ...authorization(random, stack), ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    };
  }
  // The gateway: a webhook to the runner's URL (sometimes another), signed (mostly) or not.
  const params = webhookParams(random);
  const query = random.pick(['', '', `?ExecutionSid=FN${'a'.repeat(32)}`, `?ExecutionSid=${percentEncode(oddString(random).slice(0, 200))}`, '?ExecutionSid=1&ExecutionSid=2', '?%ZZ=1']);
  const flowPath = new URL(flowWebhookUrl(stack, random.chance(0.9) ? sids.runner : 'FW' + '1'.repeat(32))).pathname;
  const accountPath = random.chance(0.95) ? flowPath : flowPath.replace(stack.config.accountSid, 'AC' + '9'.repeat(32));
  const url = stack.config.publicUrl + accountPath + query;
  const signed = random.chance(0.7);
  if (random.chance(0.8)) {
    const fields: FormFields = Object.entries(params).flatMap(([key, value]) => (Array.isArray(value) ? value.map((item): [string, string] => [key, item]) : [[key, value] as [string, string]]));
    const signedParams = Object.fromEntries(Object.entries(params).map(([key, value]) => [wellFormed(key), Array.isArray(value) ? value.map(wellFormed) : wellFormed(value)]));
    const body = random.chance(0.85) ? encodeForm(fields) : malformedFormBody(random, fields.map(([key, value]) => [wellFormed(key), wellFormed(value)]));
    const signature = twilio.getExpectedTwilioSignature(stack.config.authToken, url, signedParams);
    return { target: 'gateway', method: 'POST', path: accountPath + query, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signed ? { 'x-twilio-signature': signature } : {}) }, body };
  }
  // The JSON variant: the body's SHA-256 is in the signed URL.
  const body = random.chance(0.8) ? JSON.stringify(params) : random.pick(['[]', 'null', '{"a":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}', '{"EventType":{"x":1}}']);
  const jsonUrl = `${url}${query ? '&' : '?'}bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
  const signature = twilio.getExpectedTwilioSignature(stack.config.authToken, jsonUrl, {});
  return {
    target: 'gateway',
    method: 'POST',
    path: jsonUrl.slice(stack.config.publicUrl.length),
    headers: { 'content-type': 'application/json', ...(signed ? { 'x-twilio-signature': signature } : {}) },
    body,
  };
}

describe('fuzz', () => {
  let stack: Stack;
  const seeds = seedDefinitions();
  const sids = { target: '', runner: '' };

  beforeAll(async () => {
    stack = await startStack();
    // A flow whose every trigger ends at once: a request that happens to be valid starts an execution that ends by itself.
    sids.runner = await publish(stack, 'fuzz runner', flow([trigger({})]));
    sids.target = (await stack.twilio.studio.v2.flows.create({ friendlyName: 'fuzz target', status: 'draft', definition: JSON.parse(seeds[0]) as object })).sid;
  });
  afterAll(async () => stack?.stop());

  async function storedCounts(): Promise<Record<string, number>> {
    const { rows } = await stack.database.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM flows) AS flows, (SELECT count(*) FROM flow_revisions) AS revisions,
              (SELECT count(*) FROM executions) AS executions, (SELECT count(*) FROM inbound_deliveries) AS deliveries`,
    );
    return Object.fromEntries(Object.entries(rows[0]).map(([key, value]) => [key, Number(value)]));
  }

  it(`survives ${CASES} bad inputs (seed ${SEED}): no 5xx, Twilio-shaped errors, nothing stored by a refusal`, async () => {
    console.log(`fuzz: seed ${SEED}, ${CASES} cases (rerun with FUZZ_SEED=${SEED})`);
    const random = new SeededRandom(SEED);
    const outcomes: Record<string, number> = {};
    const millisecondsByTarget: Record<string, number> = {};
    // Every failure is kept (the run goes on), so one run shows them all.
    const failures: string[] = [];
    let counts = await storedCounts();
    for (let index = 0; index < CASES; index++) {
      const request = generate(random, stack, seeds, sids);
      const describe = () =>
        `fuzz seed ${SEED}, case ${index}: ${request.method} ${request.path.slice(0, 300)}\nheaders ${JSON.stringify(request.headers).slice(0, 300)}\nbody (${request.body.length} chars) ${JSON.stringify(request.body.slice(0, 1500))}`;
      let response: Response;
      let text: string;
      const startedAt = Date.now();
      try {
        response = await fetch(stack.apiUrl + request.path, { method: request.method, headers: request.headers, body: request.body });
        text = await response.text();
      } catch (error) {
        throw new Error(`${describe()}\nthe request failed: ${String(error)}`);
      }
      const status = response.status;
      millisecondsByTarget[request.target] = (millisecondsByTarget[request.target] ?? 0) + Date.now() - startedAt;
      outcomes[`${request.target} ${status}`] = (outcomes[`${request.target} ${status}`] ?? 0) + 1;
      const fail = (why: string) => failures.push(`${describe()}\n${why}\nanswered ${status}: ${text.slice(0, 1000)}`);
      if (status >= 500) fail('a 5xx');
      const after = await storedCounts();
      if (status >= 400) {
        let error: Record<string, unknown> = {};
        try {
          error = JSON.parse(text) as Record<string, unknown>;
        } catch {
          fail('an error that is not JSON');
        }
        const shaped =
          typeof error.code === 'number' &&
          typeof error.message === 'string' &&
          error.more_info === `https://www.twilio.com/docs/errors/${error.code}` &&
          error.status === status &&
          Object.keys(error).every((key) => ['code', 'message', 'more_info', 'status', 'details'].includes(key));
        if (!shaped) fail("an error not in Twilio's shape");
        if (JSON.stringify(after) !== JSON.stringify(counts)) fail(`a refused request changed what is stored: ${JSON.stringify(counts)} → ${JSON.stringify(after)}`);
      } else if (request.target !== 'gateway' && request.target !== 'execution') {
        // Accepted by Validate, create or update: the definition it read must be valid, and what was stored too.
        if (request.definition !== undefined) {
          const parsed = parseDefinition(request.definition);
          if (!parsed.ok || !validateDefinition(parsed.definition).valid) fail('an invalid definition was accepted');
        }
        if (request.target !== 'validate') {
          const { rows } = await stack.database.query<{ definition: string; valid: boolean }>(
            'SELECT definition, valid FROM flow_revisions ORDER BY date_created DESC, revision DESC LIMIT 1',
          );
          const parsed = parseDefinition(rows[0].definition);
          if (!rows[0].valid || !parsed.ok || !validateDefinition(parsed.definition).valid) fail('an invalid definition was stored');
        }
      }
      counts = after;
    }
    console.log(`fuzz outcomes (target status: count): ${JSON.stringify(outcomes)}\nmilliseconds per target: ${JSON.stringify(millisecondsByTarget)}`);
    if (failures.length > 0) throw new Error(`${failures.length} of ${CASES} inputs failed (FUZZ_SEED=${SEED}):\n\n${failures.slice(0, 20).join('\n\n')}`);

    // Still up: the API answers, with a worker behind it.
    expect((await fetch(`${stack.apiUrl}/health`)).status).toBe(200);
    expect((await stack.twilio.studio.v2.flows.list()).length).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
