// The HTTP activity behind Make HTTP Request and Run Function, against a local HTTP server: URL
// parameters, credentials in the URL, form and JSON bodies, redirects, the timeout (shortened here)
// and the 64 kB limit, "Authenticate with Twilio", the Function signature — and, through the widget,
// which answers become `parsed`.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import { createHttpActivities, HTTP_MAX_RESPONSE_BYTES } from '../../activities/http';
import type { HttpRequestSpec } from '../../workflows/engine/effects';
import { createTemplateEngine } from '../../workflows/engine/liquid';
import type { ExecutionContext, FlowState } from '../../workflows/engine/types';
import { makeHttpRequestWidget } from '../../workflows/widgets/make-http-request';
import { fakeEffects } from '../support/fake-effects';

const ACCOUNT_SID = 'AC00000000000000000000000000000000';
const AUTH_TOKEN = 'test-auth-token';
const TIMEOUT_MS = 300;

interface Echo {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('the HTTP activity', () => {
  let server: http.Server;
  let base: string;
  const received: Echo[] = [];
  const activity = () => createHttpActivities({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, twilioApiBaseUrl: `${base}/twilio-api`, timeoutMs: TIMEOUT_MS });
  const request = (spec: Partial<HttpRequestSpec>) => activity().httpRequest({ widgetName: 'w', method: 'GET', url: `${base}/echo`, ...spec });

  beforeAll(async () => {
    const app = express();
    app.use(express.text({ type: () => true }));
    const echo = (req: express.Request, res: express.Response) => {
      const entry: Echo = { method: req.method, path: req.path, query: { ...req.query }, headers: req.headers, body: typeof req.body === 'string' ? req.body : '' };
      received.push(entry);
      res.json(entry);
    };
    app.all('/echo', echo);
    app.all('/twilio-api/*splat', echo);
    app.get('/json-object', (_req, res) => res.json({ tier: 'gold', nested: { open: 2 } }));
    app.get('/json-array', (_req, res) => res.json([{ tier: 'gold' }]));
    app.get('/json-as-text', (_req, res) => res.type('text/plain').send('{"tier":"gold"}'));
    app.get('/status/:code', (req, res) => res.status(Number(req.params.code)).json({ code: Number(req.params.code) }));
    app.get('/redirect', (_req, res) => res.redirect(302, '/json-object'));
    app.post('/function', (_req, res) => res.set('X-Twilio-Function-Concurrency', '2').type('text/plain').send('done'));
    app.get('/bytes/:count', (req, res) => res.type('text/plain').send('x'.repeat(Number(req.params.count))));
    app.get('/chunked/:count', (req, res) => {
      // No Content-Length: the limit must hold while reading.
      res.type('text/plain');
      const total = Number(req.params.count);
      for (let sent = 0; sent < total; sent += 1000) res.write('x'.repeat(Math.min(1000, total - sent)));
      res.end();
    });
    app.get('/never', () => undefined);
    app.get('/stalls-mid-body', (_req, res) => {
      res.type('text/plain');
      res.write('partial');
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  const echoed = (body: string | null) => JSON.parse(body ?? '') as Echo;

  it('adds URL parameters to the query string the URL already has', async () => {
    const outcome = await request({ url: `${base}/echo?a=1`, parameters: [{ key: 'phone', value: '+1 555 & co' }, { key: 'a', value: '2' }] });
    expect(outcome).toMatchObject({ statusCode: 200, contentType: expect.stringContaining('application/json') });
    expect(outcome.failure).toBeUndefined();
    expect(echoed(outcome.body).query).toEqual({ a: ['1', '2'], phone: '+1 555 & co' });
  });

  it('turns credentials in the URL into Basic authentication', async () => {
    const url = new URL(`${base}/echo`);
    url.username = 'api@user';
    url.password = 'p:ss word';
    const outcome = await request({ url: url.toString() });
    const header = echoed(outcome.body).headers.authorization!;
    expect(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString()).toBe('api@user:p:ss word');
  });

  it('sends form parameters as a form-encoded body', async () => {
    const outcome = await request({
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded;charset=utf-8',
      formParameters: [{ key: 'question', value: 'How & why?' }, { key: 'n', value: '1' }],
      body: 'ignored when there are form parameters',
    });
    const echo = echoed(outcome.body);
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=utf-8');
    expect(Object.fromEntries(new URLSearchParams(echo.body))).toEqual({ question: 'How & why?', n: '1' });
  });

  it('sends a JSON body as written', async () => {
    const body = '{"latitude": 1.5, "name": "Ann"}';
    const outcome = await request({ method: 'POST', contentType: 'application/json;charset=utf-8', body });
    const echo = echoed(outcome.body);
    expect(echo).toMatchObject({ method: 'POST', body });
    expect(echo.headers['content-type']).toBe('application/json;charset=utf-8');
  });

  it('answers an HTTP error status as a response, not a failure', async () => {
    for (const code of [404, 500]) {
      const outcome = await request({ url: `${base}/status/${code}` });
      expect(outcome).toEqual({ statusCode: code, contentType: expect.stringContaining('application/json'), body: JSON.stringify({ code }) });
    }
  });

  it("reports a Function's X-Twilio-Function-Concurrency header, and nothing for an answer without it", async () => {
    expect(await request({ method: 'POST', url: `${base}/function` })).toEqual({
      statusCode: 200,
      contentType: expect.stringContaining('text/plain'),
      body: 'done',
      functionConcurrency: '2',
    });
    expect(await request({ url: `${base}/json-object` })).not.toHaveProperty('functionConcurrency');
  });

  it('follows redirects, unless told not to (Run Function)', async () => {
    expect(await request({ url: `${base}/redirect` })).toMatchObject({ statusCode: 200, body: '{"tier":"gold","nested":{"open":2}}' });
    const notFollowed = await request({ url: `${base}/redirect`, followRedirects: false });
    expect(notFollowed.statusCode).toBe(302);
    expect(notFollowed.failure).toBeUndefined();
  });

  it('times out on a server that never answers, and on one that stops mid-body', async () => {
    expect(await request({ url: `${base}/never` })).toMatchObject({ statusCode: null, body: null, failure: 'timeout' });
    expect(await request({ url: `${base}/stalls-mid-body` })).toMatchObject({ statusCode: 200, body: null, failure: 'timeout' });
  });

  it('accepts a body of exactly 64 kB and refuses one byte more, declared or not', async () => {
    const exact = await request({ url: `${base}/bytes/${HTTP_MAX_RESPONSE_BYTES}` });
    expect(exact.failure).toBeUndefined();
    expect(exact.body).toHaveLength(HTTP_MAX_RESPONSE_BYTES);
    expect(await request({ url: `${base}/bytes/${HTTP_MAX_RESPONSE_BYTES + 1}` })).toMatchObject({ statusCode: 200, body: null, failure: 'tooLarge' });
    expect(await request({ url: `${base}/chunked/${HTTP_MAX_RESPONSE_BYTES + 1}` })).toMatchObject({ statusCode: 200, body: null, failure: 'tooLarge' });
  });

  it('classifies a refused connection and a URL that cannot be requested', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await request({ url: `http://127.0.0.1:${port}/` })).toMatchObject({ failure: 'transport', error: expect.stringContaining('ECONNREFUSED') });
    expect(await request({ url: '/relative/path' })).toMatchObject({ failure: 'invalidRequest' });
    expect(await request({ url: 'ftp://example.com/file' })).toMatchObject({ failure: 'invalidRequest' });
  });

  it('Authenticate with Twilio: refuses a non-Twilio URL without sending it, and sends a Twilio URL with the account credentials', async () => {
    expect(await request({ url: `${base}/echo`, addTwilioAuth: true })).toMatchObject({ failure: 'invalidRequest' });
    expect(received).toHaveLength(0);

    const outcome = await request({ url: `https://user:pass@api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json?PageSize=5`, addTwilioAuth: true });
    const echo = echoed(outcome.body);
    expect(echo.path).toBe(`/twilio-api/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(echo.query).toEqual({ PageSize: '5' });
    expect(echo.headers.authorization).toBe('Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'));
  });

  it('signs a Function call as Twilio does (X-Twilio-Signature over the URL and the form)', async () => {
    const formParameters = [{ key: 'phone', value: '+15551234567' }, { key: 'plan', value: 'gold' }];
    const outcome = await request({ method: 'POST', url: `${base}/echo?x=1`, formParameters, signWithTwilio: true });
    const echo = echoed(outcome.body);
    const signature = String(echo.headers['x-twilio-signature']);
    expect(twilio.validateRequest(AUTH_TOKEN, signature, `${base}/echo?x=1`, { phone: '+15551234567', plan: 'gold' })).toBe(true);
    expect(twilio.validateRequest('another-token', signature, `${base}/echo?x=1`, { phone: '+15551234567', plan: 'gold' })).toBe(false);
  });

  describe('through the make-http-request widget', () => {
    const templates = createTemplateEngine();
    const context: ExecutionContext = {
      flow: { flow_sid: 'FW1', sid: 'FN1', channel: { address: '+15550000000' }, data: {}, variables: {} },
      contact: { channel: { address: '+15551234567' } },
      trigger: {},
      widgets: {},
    };
    async function run(path: string) {
      const { effects } = fakeEffects();
      effects.httpRequest = (spec) => activity().httpRequest(spec);
      const state: FlowState = { name: 'lookup', type: 'make-http-request', properties: { method: 'GET', url: `${base}${path}` } };
      return makeHttpRequestWidget.run(
        { state, context, executionSid: 'FN1', stepSid: 'FT1', render: (template) => templates.render(String(template ?? ''), context).output },
        effects,
      );
    }

    it('parses a JSON object, but not a top-level array or JSON served as text', async () => {
      expect(await run('/json-object')).toMatchObject({ event: 'success', output: { status_code: 200, parsed: { tier: 'gold', nested: { open: 2 } } } });
      const array = await run('/json-array');
      expect(array).toMatchObject({ event: 'success', output: { body: '[{"tier":"gold"}]' } });
      expect(array.output).not.toHaveProperty('parsed');
      const text = await run('/json-as-text');
      expect(text.output).not.toHaveProperty('parsed');
    });

    it('takes failed on a 4xx and on a timeout', async () => {
      expect(await run('/status/404')).toMatchObject({ event: 'failed', output: { status_code: 404 }, warnings: [{ code: '81016' }] });
      expect(await run('/never')).toMatchObject({ event: 'failed', output: {}, warnings: [{ code: '81016' }] });
    });
  });
});
