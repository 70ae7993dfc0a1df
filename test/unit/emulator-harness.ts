// Shared by the emulator tests: an emulator on an ephemeral port driven by the real `twilio` client,
// a local receiver that records webhooks and checks their signatures, and the OpenAPI validator.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as path from 'node:path';
import express from 'express';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { createEmulator } from '../../emulator/app';
import type { Emulator, EmulatorOptions } from '../../emulator/app';
import { loadTwilioSchemas } from '../support/openapi';

export const ACCOUNT_SID = DEFAULT_ACCOUNT_SID;
export const AUTH_TOKEN = DEFAULT_AUTH_TOKEN;
export const FLOW_SID = 'FW0123456789abcdef0123456789abcdef';

/** Sends every Twilio host's requests to the emulator, path and query kept (sdk-notes §4, approach A). */
class EmulatorRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }

  override async request<TData>(options: RequestClient.RequestOptions<TData>) {
    const url = new URL(options.uri);
    const response = await super.request<TData>({ ...options, uri: `${this.baseUrl}${url.pathname}${url.search}` });
    if (url.hostname === 'conversations.twilio.com') recordShapeErrors(`${options.method.toUpperCase()} ${url.pathname}`, response.statusCode, response.body);
    return response;
  }
}

// ---- Every Conversations response the client receives is checked against Twilio's schema ----------

const SCHEMA_BY_PATH: Array<[RegExp, string]> = [
  [/\/Conversations\/[^/]+\/Messages\/[^/]+\/Receipts(\/[^/]+)?$/, 'conversations.v1.conversation.conversation_message.conversation_message_receipt'],
  [/\/Conversations\/[^/]+\/Messages(\/[^/]+)?$/, 'conversations.v1.conversation.conversation_message'],
  [/\/Conversations\/[^/]+\/Participants(\/[^/]+)?$/, 'conversations.v1.conversation.conversation_participant'],
  [/\/Conversations\/[^/]+\/Webhooks(\/[^/]+)?$/, 'conversations.v1.conversation.conversation_scoped_webhook'],
  [/\/Conversations(\/[^/]+)?$/, 'conversations.v1.conversation'],
  [/\/Configuration\/Addresses(\/[^/]+)?$/, 'conversations.v1.configuration_address'],
];

const shapeErrors: string[] = [];
let checkedResponses = 0;

function recordShapeErrors(call: string, status: number, body: unknown): void {
  if (!conversationSchemas || status >= 300 || typeof body !== 'object' || body === null) return;
  const schemaName = SCHEMA_BY_PATH.find(([pattern]) => pattern.test(call))?.[1];
  if (!schemaName) return;
  const envelope = body as { meta?: { key?: string } } & Record<string, unknown>;
  const listKey = envelope.meta?.key;
  const resources = listKey ? ((envelope[listKey] as unknown[]) ?? []) : [body];
  checkedResponses += 1;
  for (const resource of resources) {
    for (const error of conversationSchemas.validate(schemaName, resource)) shapeErrors.push(`${call} (${schemaName}): ${error}`);
  }
}

/** For afterEach: every Conversations response of the test matched Twilio's OpenAPI schema. */
export function expectResponsesMatchTwilioSchemas(): void {
  const errors = shapeErrors.splice(0);
  expect(errors).toEqual([]);
}

/** How many Conversations responses were schema-checked so far (0 when the spec is absent). */
export function checkedResponseCount(): number {
  return checkedResponses;
}

/** The real `twilio` client, talking to the emulator at `baseUrl`. */
export function twilioClientFor(baseUrl: string, accountSid = ACCOUNT_SID, authToken = AUTH_TOKEN): twilio.Twilio {
  return twilio(accountSid, authToken, { httpClient: new EmulatorRequestClient(baseUrl) });
}

function listen(app: express.Express): Promise<{ server: Server; baseUrl: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, baseUrl: `http://127.0.0.1:${port}` });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface RunningEmulator {
  emulator: Emulator;
  baseUrl: string;
  client: twilio.Twilio;
  close(): Promise<void>;
}

export async function startEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const emulator = createEmulator({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: 'http://127.0.0.1:9', ...options });
  const { server, baseUrl } = await listen(emulator.app);
  return {
    emulator,
    baseUrl,
    client: twilioClientFor(baseUrl, ACCOUNT_SID, AUTH_TOKEN),
    close: async () => {
      await emulator.close();
      await closeServer(server);
    },
  };
}

export interface ReceivedWebhook {
  method: string;
  path: string;
  url: string;
  params: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  signatureValid: boolean;
}

type Responder = (request: ReceivedWebhook, attempt: number) => { status: number; body?: string; delayMs?: number };

/** A local stand-in for the Studio gateway or any webhook target: records what it receives. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  baseUrl = '';
  private server: Server | undefined;
  private responder: Responder = () => ({ status: 200, body: '' });

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.all('/*path', (req, res) => {
      const url = `${receiver.baseUrl}${req.originalUrl}`;
      const params = (req.method === 'GET' ? {} : (req.body ?? {})) as Record<string, string>;
      const record: ReceivedWebhook = {
        method: req.method,
        path: req.path,
        url,
        params: req.method === 'GET' ? (req.query as Record<string, string>) : params,
        headers: req.headers,
        signatureValid: twilio.validateRequest(AUTH_TOKEN, req.get('X-Twilio-Signature') ?? '', url, params),
      };
      receiver.received.push(record);
      const attempt = receiver.received.filter((other) => other.headers['i-twilio-idempotency-token'] === record.headers['i-twilio-idempotency-token']).length;
      const answer = receiver.responder(record, attempt);
      setTimeout(() => {
        if (!res.headersSent) res.status(answer.status).type(answer.body?.startsWith('<') ? 'text/xml' : 'text/plain').send(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
    const { server, baseUrl } = await listen(app);
    receiver.server = server;
    receiver.baseUrl = baseUrl;
    return receiver;
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Polls until `predicate` holds for the requests received so far. */
  async waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs = 5000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for webhooks; received: ${JSON.stringify(this.received.map((r) => [r.path, r.params.EventType ?? r.params.MessageStatus ?? r.params.Body]))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.received;
  }

  async close(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }
}

/** An emulator whose webhooks (publicUrl) go to a WebhookReceiver; `close` stops both. */
export interface EmulatorWithReceiver extends RunningEmulator {
  receiver: WebhookReceiver;
  /** Back to a fresh start between tests: an empty emulator, nothing received, every webhook answered 200. */
  reset(): void;
}

export async function startEmulatorWithReceiver(options: Partial<EmulatorOptions> = {}): Promise<EmulatorWithReceiver> {
  const receiver = await WebhookReceiver.start();
  const running = await startEmulator({ publicUrl: receiver.baseUrl, ...options });
  return {
    ...running,
    receiver,
    reset() {
      running.emulator.reset();
      receiver.received.length = 0;
      receiver.respondWith(() => ({ status: 200 }));
    },
    async close() {
      await running.close();
      await receiver.close();
    },
  };
}

/**
 * Raw Twilio JSON as the tests read it. `any` on purpose: each test reads the fields it asserts on, and
 * a type per response would only restate those assertions.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ResponseJson = any;

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: ResponseJson }> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as ResponseJson) : null };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: ResponseJson }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as ResponseJson) : null };
}

/** A device sends a message (POST /Emulator/Inbound). */
export function deviceSends(baseUrl: string, from: string, to: string, body: string) {
  return postForm(`${baseUrl}/Emulator/Inbound`, { From: from, To: to, Body: body });
}

/** What device `to` has received (GET /Emulator/Outbound). */
export async function deviceInbox(baseUrl: string, to: string): Promise<Array<{ sid: string; conversation_sid?: string; from: string; to: string; body: string; date_created: string }>> {
  const { body } = await getJson(`${baseUrl}/Emulator/Outbound?To=${encodeURIComponent(to)}`);
  return body.messages;
}

export function basicAuth(accountSid = ACCOUNT_SID, authToken = AUTH_TOKEN): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` };
}

const CONVERSATIONS_SPEC = path.resolve(__dirname, '../../../shared/twilio-openapi/twilio_conversations_v1.json');
export const conversationSchemas = loadTwilioSchemas(CONVERSATIONS_SPEC);
if (!conversationSchemas) {
  // A fresh clone has no ../shared: the shape checks are skipped, loudly.
  console.warn(`Skipping OpenAPI response checks: ${CONVERSATIONS_SPEC} not found`);
}

/** Expects `body` to match Twilio's schema; a no-op (already warned) when the spec is absent. */
export function expectTwilioShape(schemaName: string, body: unknown): void {
  if (!conversationSchemas) return;
  expect({ schemaName, errors: conversationSchemas.validate(schemaName, body) }).toEqual({ schemaName, errors: [] });
}

export const SCHEMA = {
  conversation: 'conversations.v1.conversation',
  participant: 'conversations.v1.conversation.conversation_participant',
  message: 'conversations.v1.conversation.conversation_message',
  receipt: 'conversations.v1.conversation.conversation_message.conversation_message_receipt',
  webhook: 'conversations.v1.conversation.conversation_scoped_webhook',
  addressConfiguration: 'conversations.v1.configuration_address',
} as const;
