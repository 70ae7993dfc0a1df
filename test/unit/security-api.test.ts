// The API's front door (issue 7): Basic auth refuses missing or wrong credentials with Twilio's 401,
// comparing the user name and the token in constant time (both, always, as equal-length digests);
// bodies over BODY_LIMIT get Twilio's 413 on the API and on the gateway, form or JSON, declared,
// streamed or compressed. No Temporal here: a refused request never gets that far.
import * as zlib from 'node:zlib';
import { BODY_LIMIT } from '../../api/app';
import type { Database } from '../../api/store/database';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { startApiServer, type ApiServer } from '../support/api-server';

// The module object itself (an `import * as` copy would not see the spy that auth.ts calls through).
const nodeCrypto = require('node:crypto') as typeof import('node:crypto');

const GOOD_CREDENTIALS = `${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`;
const basic = (credentials: string) => 'Basic ' + Buffer.from(credentials, 'utf8').toString('base64');

/** BODY_LIMIT in bytes, as body-parser reads it ('2mb' is 2 MiB). */
function limitBytes(): number {
  const match = /^(\d+)(kb|mb)$/i.exec(BODY_LIMIT);
  if (!match) throw new Error(`BODY_LIMIT ${BODY_LIMIT} is not in kb or mb: update this test`);
  return Number(match[1]) * (match[2].toLowerCase() === 'mb' ? 1024 * 1024 : 1024);
}

function expectTwilioError(body: unknown, status: number, code?: number): void {
  expect(body).toEqual({
    code: code ?? expect.any(Number),
    message: expect.any(String),
    more_info: expect.stringMatching(/^https:\/\/www\.twilio\.com\/docs\/errors\/\d+$/),
    status,
  });
}

describe('API security', () => {
  let api: ApiServer;
  let database: Database;
  let apiUrl: string;
  let flowSid: string;

  beforeAll(async () => {
    // Never connected: a refused request must not reach Temporal (it would fail with a 5xx if it did).
    api = await startApiServer('studio-security-');
    ({ apiUrl, database } = api);
    const created = await fetch(`${apiUrl}/v2/Flows`, {
      method: 'POST',
      headers: { authorization: basic(GOOD_CREDENTIALS), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        FriendlyName: 'security',
        Status: 'published',
        Definition: JSON.stringify({ states: [{ name: 'Trigger', type: 'trigger', transitions: [], properties: {} }], initial_state: 'Trigger', flags: { allow_concurrent_calls: true } }),
      }),
    });
    expect(created.status).toBe(201);
    flowSid = ((await created.json()) as { sid: string }).sid;
  });
  afterAll(async () => api?.stop());
  afterEach(() => jest.restoreAllMocks());

  const gatewayUrl = () => `${apiUrl}/v1/Accounts/${DEFAULT_ACCOUNT_SID}/Flows/${flowSid}`;

  describe('Basic auth', () => {
    const refused: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['another scheme', { authorization: `Bearer ${DEFAULT_AUTH_TOKEN}` }],
      ['Basic without credentials', { authorization: 'Basic' }],
      ['Basic with garbage instead of base64', { authorization: 'Basic !!!***' }],
      ['the account SID alone', { authorization: basic(DEFAULT_ACCOUNT_SID) }],
      ['the right SID and a wrong token', { authorization: basic(`${DEFAULT_ACCOUNT_SID}:wrong-token`) }],
      ['the right SID and an empty token', { authorization: basic(`${DEFAULT_ACCOUNT_SID}:`) }],
      ['the right SID and the token with a suffix', { authorization: basic(`${GOOD_CREDENTIALS}x`) }],
      ['the right SID and a prefix of the token', { authorization: basic(GOOD_CREDENTIALS.slice(0, -1)) }],
      ['a wrong SID and the right token', { authorization: basic(`AC11111111111111111111111111111111:${DEFAULT_AUTH_TOKEN}`) }],
      ['an empty SID and the right token', { authorization: basic(`:${DEFAULT_AUTH_TOKEN}`) }],
      ['the SID in other case', { authorization: basic(`${DEFAULT_ACCOUNT_SID.toLowerCase()}:${DEFAULT_AUTH_TOKEN}`) }],
    ];

    it.each(refused)('refuses %s with 401 in Twilio shape, on every Studio route', async (_what, headers) => {
      const routes: [string, string][] = [
        ['GET', '/v2/Flows'],
        ['GET', `/v2/Flows/${flowSid}`],
        ['POST', '/v2/Flows/Validate'],
        ['POST', `/v2/Flows/${flowSid}/Executions`],
        ['GET', `/flows/${flowSid}`],
      ];
      for (const [method, route] of routes) {
        const response = await fetch(apiUrl + route, { method, headers });
        expect({ route, status: response.status }).toEqual({ route, status: 401 });
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expectTwilioError(await response.json(), 401, 20003);
      }
    });

    it('accepts the account SID and auth token', async () => {
      const response = await fetch(`${apiUrl}/v2/Flows`, { headers: { authorization: basic(GOOD_CREDENTIALS) } });
      expect(response.status).toBe(200);
    });

    it('compares both the user name and the token in constant time, whatever is wrong, without an early exit', async () => {
      const compare = jest.spyOn(nodeCrypto, 'timingSafeEqual');
      const cases = [...refused.map(([, headers]) => headers), { authorization: basic(GOOD_CREDENTIALS) }];
      for (const headers of cases) {
        compare.mockClear();
        await fetch(`${apiUrl}/v2/Flows`, { headers });
        // One comparison for the user name, one for the token: always both, so a wrong user name takes as long as a wrong token.
        expect(compare).toHaveBeenCalledTimes(2);
        // Each compares fixed-length digests, never the secrets themselves: neither content nor length shows in the timing.
        for (const [left, right] of compare.mock.calls) {
          expect([(left as Buffer).length, (right as Buffer).length]).toEqual([32, 32]);
          expect(Buffer.from(left as Buffer).toString('utf8')).not.toContain(DEFAULT_AUTH_TOKEN);
        }
      }
    });
  });

  describe(`bodies over BODY_LIMIT (${BODY_LIMIT})`, () => {
    const authorization = basic(GOOD_CREDENTIALS);
    /** A form body of exactly `bytes` bytes. */
    const formBody = (bytes: number) => {
      const head = 'FriendlyName=big&Status=draft&Definition=';
      return head + 'a'.repeat(bytes - head.length);
    };
    /** A JSON body of exactly `bytes` bytes. */
    const jsonBody = (bytes: number) => {
      const head = '{"FriendlyName":"big","Padding":"';
      return head + 'a'.repeat(bytes - head.length - 2) + '"}';
    };
    const targets = (): { where: string; url: string; headers: Record<string, string> }[] => [
      { where: 'the Flows API', url: `${apiUrl}/v2/Flows`, headers: { authorization } },
      { where: 'the Executions API', url: `${apiUrl}/v2/Flows/${flowSid}/Executions`, headers: { authorization } },
      { where: 'the API without credentials', url: `${apiUrl}/v2/Flows`, headers: {} },
      { where: 'the gateway', url: gatewayUrl(), headers: { 'x-twilio-signature': 'anything' } },
    ];

    it.each([
      ['form', 'application/x-www-form-urlencoded', formBody],
      ['JSON', 'application/json', jsonBody],
    ])('answers 413 in Twilio shape to a %s body one byte over the limit, and not to one at the limit', async (_kind, contentType, body) => {
      for (const { where, url, headers } of targets()) {
        const over = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': contentType }, body: body(limitBytes() + 1) });
        expect({ where, status: over.status }).toEqual({ where, status: 413 });
        expectTwilioError(await over.json(), 413, 20413);
        const atLimit = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': contentType }, body: body(limitBytes()) });
        expect({ where, status: atLimit.status }).not.toEqual({ where, status: 413 });
        expect(atLimit.status).toBeLessThan(500);
      }
    });

    it('counts the inflated size of a compressed body (no zip bomb) and the streamed size of a chunked one', async () => {
      const bomb = zlib.gzipSync(Buffer.from(formBody(limitBytes() + 1)));
      expect(bomb.length).toBeLessThan(limitBytes() / 100);
      for (const { where, url, headers } of targets()) {
        const compressed = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
          body: bomb,
        });
        expect({ where, status: compressed.status }).toEqual({ where, status: 413 });
        expectTwilioError(await compressed.json(), 413, 20413);

        // No Content-Length: the body arrives in chunks and is cut off once it passes the limit.
        const chunks = formBody(limitBytes() + 1);
        const streamed = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: new ReadableStream({
            start(controller) {
              for (let offset = 0; offset < chunks.length; offset += 64 * 1024) controller.enqueue(new TextEncoder().encode(chunks.slice(offset, offset + 64 * 1024)));
              controller.close();
            },
          }),
          duplex: 'half',
        } as unknown as RequestInit);
        expect({ where, status: streamed.status }).toEqual({ where, status: 413 });
        expectTwilioError(await streamed.json(), 413, 20413);
      }
    });

    it('stores nothing from a refused body', async () => {
      const before = await database.query<{ count: string }>('SELECT count(*) AS count FROM flow_revisions');
      await fetch(`${apiUrl}/v2/Flows`, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(limitBytes() + 1) });
      const after = await database.query<{ count: string }>('SELECT count(*) AS count FROM flow_revisions');
      expect(after.rows[0].count).toBe(before.rows[0].count);
    });
  });
});
