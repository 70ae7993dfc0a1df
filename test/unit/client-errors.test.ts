// Requests Node's HTTP parser refuses before Express (api/client-errors.ts): oversized headers and
// malformed HTTP get Twilio's error shape, not Node's empty 400, and the API keeps serving.
import * as net from 'node:net';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { startApiServer, type ApiServer } from '../support/api-server';

/** Sends raw bytes and reads everything the server answers until it closes the connection. */
function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parse(answer: string): { status: number; headers: string; body: unknown } {
  const [head, body] = answer.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: JSON.parse(body) };
}

describe('requests the HTTP parser refuses', () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await startApiServer('studio-client-errors-');
  });
  afterAll(async () => api?.stop());

  test('headers over the limit: 431 in Twilio shape', async () => {
    const answer = parse(await rawRequest(api.apiUrl, `GET /v2/Flows HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`));
    expect(answer.status).toBe(431);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(answer.body).toEqual({ code: 20001, message: 'The request headers are too large', more_info: 'https://www.twilio.com/docs/errors/20001', status: 431 });
  });

  test.each([
    ['a broken request line', 'NOT-HTTP\r\n\r\n'],
    ['a header without a colon', 'GET /v2/Flows HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n'],
    ['a bad Content-Length', 'POST /v2/Flows HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'],
  ])('%s: 400 in Twilio shape', async (_what, request) => {
    const answer = parse(await rawRequest(api.apiUrl, request));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 20001, message: 'The request is not valid HTTP', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
  });

  test('the API still answers afterwards', async () => {
    await rawRequest(api.apiUrl, 'NOT-HTTP\r\n\r\n');
    const credentials = Buffer.from(`${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`).toString('base64');
    const response = await fetch(`${api.apiUrl}/v2/Flows`, { headers: { authorization: `Basic ${credentials}` } });
    expect(response.status).toBe(200);
  });
});
