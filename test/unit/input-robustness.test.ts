// What the fuzz test (test/integration/fuzz.test.ts) found, pinned as plain cases: input the database
// cannot hold (a NUL, an address too long for the route index) and JSON nested too deep to serialize
// was a 500, sometimes after it had been stored. Each is now a 4xx in Twilio's shape (or, for a
// webhook, acknowledged and ignored) before anything is stored or sent to Temporal — the Temporal
// client here is never connected, so reaching it would have been a 5xx.
import twilio from 'twilio';
import type { Database } from '../../api/store/database';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { MAX_JSON_NESTING } from '../../workflows/engine/validate';
import { startApiServer, type ApiServer } from '../support/api-server';

const authorization = 'Basic ' + Buffer.from(`${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`).toString('base64');
const DEFINITION = { states: [{ name: 'Trigger', type: 'trigger', transitions: [], properties: { offset: { x: 0, y: 0 } } }], initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };

/** JSON text nesting `depth` objects: `{"a":{"a":…0…}}`. */
const nested = (depth: number) => '{"a":'.repeat(depth - 1) + '{"a":0}' + '}'.repeat(depth - 1);

describe('input the API cannot store or serialize', () => {
  let api: ApiServer;
  let database: Database;
  let apiUrl: string;
  let flowSid: string;

  beforeAll(async () => {
    api = await startApiServer('studio-robustness-');
    ({ apiUrl, database } = api);
    const created = await post('/v2/Flows', { FriendlyName: 'robust', Status: 'published', Definition: JSON.stringify(DEFINITION) });
    expect(created.status).toBe(201);
    flowSid = (created.body as { sid: string }).sid;
  });
  afterAll(async () => api?.stop());

  async function post(route: string, params: Record<string, string>, headers: Record<string, string> = { authorization }) {
    const response = await fetch(apiUrl + route, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  async function stored(): Promise<string> {
    const { rows } = await database.query(`SELECT (SELECT count(*) FROM flow_revisions) AS revisions, (SELECT count(*) FROM executions) AS executions, (SELECT count(*) FROM inbound_deliveries) AS deliveries`);
    return JSON.stringify(rows[0]);
  }

  const badRequest = (code = 20001) => ({ status: 400, body: { code, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 } });

  it.each([
    ['a NUL in a flow SID of the path', `/v2/Flows/%00`, { Status: 'draft' }],
    ['a NUL in a query', `/v2/Flows/Validate?x=%00`, { FriendlyName: 'f', Status: 'draft', Definition: JSON.stringify(DEFINITION) }],
    ['a NUL in FriendlyName', '/v2/Flows', { FriendlyName: 'a\u0000b', Status: 'draft', Definition: JSON.stringify(DEFINITION) }],
    ['a NUL in CommitMessage', '/v2/Flows', { FriendlyName: 'f', Status: 'draft', Definition: JSON.stringify(DEFINITION), CommitMessage: '\u0000' }],
    ['a NUL in To', '/v2/Flows/{flow}/Executions', { To: '+15551230000\u0000', From: '+15005550006' }],
    ['a NUL in From', '/v2/Flows/{flow}/Executions', { To: '+15551230000', From: '\u0000' }],
    ['a NUL in the path of an execution create', '/v2/Flows/%00/Executions', { To: '+15551230000', From: '+15005550006' }],
  ])('refuses %s with 400, storing nothing', async (_what, route, params) => {
    const before = await stored();
    expect(await post(route.replace('{flow}', flowSid), params)).toEqual(badRequest());
    expect(await stored()).toBe(before);
  });

  it(`refuses a definition nested deeper than ${MAX_JSON_NESTING} levels (81022) on Validate, create and update, and takes one at the limit`, async () => {
    const before = await stored();
    // Deep where nothing validates it: an unknown key, kept as sent (decision 13).
    const deep = (depth: number) => JSON.stringify({ ...DEFINITION, extra: '\u0001' }).replace('"\\u0001"', nested(depth));
    for (const route of ['/v2/Flows/Validate', '/v2/Flows', `/v2/Flows/${flowSid}`]) {
      for (const depth of [MAX_JSON_NESTING, 100_000]) {
        const refused = await post(route, { FriendlyName: 'deep', Status: 'draft', Definition: deep(depth) });
        expect({ route, depth, ...refused }).toEqual({ route, depth, ...badRequest(81022), body: expect.objectContaining({ code: 81022, message: expect.any(String) }) });
      }
    }
    expect(await stored()).toBe(before);
    // The limit counts the definition object itself as level 1: `extra` adds the nested object's levels below it.
    expect((await post('/v2/Flows/Validate', { FriendlyName: 'deep', Status: 'draft', Definition: deep(MAX_JSON_NESTING - 1) })).status).toBe(200);
  });

  it(`refuses Parameters nested deeper than ${MAX_JSON_NESTING} levels, before starting anything`, async () => {
    const before = await stored();
    for (const depth of [MAX_JSON_NESTING + 1, 50_000]) {
      expect(await post(`/v2/Flows/${flowSid}/Executions`, { To: '+15551230000', From: '+15005550006', Parameters: nested(depth) })).toEqual(badRequest());
    }
    expect(await stored()).toBe(before);
  });

  describe('webhooks whose routing fields cannot be a SID or an address', () => {
    const url = () => `${apiUrl}/v1/Accounts/${DEFAULT_ACCOUNT_SID}/Flows/${flowSid}`;
    const signed = (params: Record<string, string>) => ({ 'x-twilio-signature': twilio.getExpectedTwilioSignature(DEFAULT_AUTH_TOKEN, url(), params) });
    const sms = { MessageSid: 'SM' + '1'.repeat(32), From: '+15551230000', To: '+15005550006', Body: 'hi' };

    it.each([
      ['a NUL in From', { ...sms, From: '+1555\u0000' }],
      ['a From of 10,000 characters', { ...sms, From: '+1'.repeat(5000) }],
      ['a To of 300 characters', { ...sms, To: 'x'.repeat(300) }],
      ['a NUL in MessageSid', { ...sms, MessageSid: 'SM\u0000' }],
      ['a MessageSid of 3,000 characters', { ...sms, MessageSid: 'S'.repeat(3000) }],
      ['a Conversations message with a NUL in ConversationSid', { EventType: 'onMessageAdded', ConversationSid: 'CH\u0000', MessageSid: 'IM' + '1'.repeat(32), Author: '+15551230000', Body: 'hi' }],
      ['a Conversations message from an Author of 5,000 characters', { EventType: 'onMessageAdded', ConversationSid: 'CH' + '1'.repeat(32), MessageSid: 'IM' + '1'.repeat(32), Author: 'a'.repeat(5000), Body: 'hi' }],
    ])('acknowledges and ignores one with %s, storing nothing', async (_what, params) => {
      const before = await stored();
      const response = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signed(params) }, body: new URLSearchParams(params) });
      expect(response.status).toBe(200);
      expect(await stored()).toBe(before);
    });
  });
});
