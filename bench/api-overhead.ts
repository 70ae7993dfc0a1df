// Issue item 2: what our API and gateway cost over raw Temporal client calls, in the same run, the sides
// taking turns. Starts: REST-trigger creates (POST /v2/Flows/{sid}/Executions, distinct contacts)
// against `client.workflow.start` of an empty workflow, and, to tell the API's share from the start
// options', against `client.workflow.start` with exactly the options the API uses. Webhooks: signed
// onMessageAdded posts to the flow webhook URL against `handle.signal` with the payload the gateway
// would send. Both go to a task queue no worker polls: the executions stay running, and only the
// start or signal path is measured. A third side, the HTTP floor, is a bare node:http server whose
// handler only reads the form and makes the raw call (the start with the API's options, the signal):
// what any HTTP front end in this process pays before doing anything of its own.
import * as http from 'node:http';
import twilio from 'twilio';
import { flowWebhookUrl } from '../common/config';
import { cpuSince, cpuSnapshot } from './cpu-meter';
import { postForm } from './http-client';
import { newSid } from '../common/sid';
import type { InboundMessage } from '../workflows/engine/types';
import { trigger } from './flows';
import { percentile, pool, ratio, round } from './stats';
import { close, listen, readBody, type BenchStack } from './stack';
import type { StudioApi } from './studio-api';
import { CHANNEL_ADDRESS, CONTACT_NAME, interpreterInput, nextContact } from './variants';
import { CONTACT_HASH, CURRENT_WIDGET, EXECUTION_STATUS, FLOW_REVISION, FLOW_SID } from '../workflows/search-attributes';
import { contactHash } from '../api/execution-service';

export interface RateSide {
  per_s: number;
  calls: number;
  seconds: number;
  p50_ms: number | null;
  p99_ms: number | null;
  /** CPU per call of the benchmark's process (client and server sides of our API, or the client alone) and of the Temporal server. */
  process_cpu_ms_per_call: number;
  server_cpu_ms_per_call: number | null;
}

export interface RatePair {
  ours: RateSide;
  raw: RateSide;
  /** ours / raw. */
  ratio: number | null;
  goal: boolean | null;
}

/** The bare HTTP server's side and what it tells: ours against it (our own overhead), it against raw (the HTTP hop's). */
interface HttpFloor {
  http_floor: RateSide;
  /** ours / the HTTP floor. */
  ratio_to_http_floor: number | null;
  /** the HTTP floor / raw: the best an HTTP front end in this process could do. */
  http_floor_ratio: number | null;
}

export interface ApiOverhead {
  concurrency: number;
  starts: RatePair & HttpFloor & { raw_with_api_options: RateSide; ratio_to_raw_with_api_options: number | null };
  webhooks: RatePair & HttpFloor;
}

export interface ApiOverheadSettings {
  callsPerRound: number;
  roundsEach: number;
  concurrency: number;
  /** Unmeasured calls each side makes first (default: callsPerRound). */
  warmUpCalls?: number;
}

const GOAL_RATIO = 0.9;

type Side<T extends string> = { name: T; call: (index: number) => Promise<void> };

/**
 * Runs the sides' rounds interleaved (ABC CBA …) and sums each side's calls and time. Each side first
 * makes unmeasured calls: the earlier phases have long warmed the raw client calls (every execution
 * starts with one), while the API's routes, body parsing, statements and database code would otherwise
 * be compiled and warmed up inside the API's first measured round, at its expense.
 */
async function interleave<T extends string>(sides: Side<T>[], settings: ApiOverheadSettings, serverPid: number | undefined): Promise<Record<T, RateSide>> {
  for (const side of sides) await pool(settings.warmUpCalls ?? settings.callsPerRound, settings.concurrency, side.call);
  const totals = {} as Record<T, { calls: number; seconds: number; latencies: number[]; processCpuMs: number; serverCpuMs: number | null }>;
  for (const side of sides) totals[side.name] = { calls: 0, seconds: 0, latencies: [], processCpuMs: 0, serverCpuMs: 0 };
  for (let round = 0; round < settings.roundsEach; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const cpuAtStart = cpuSnapshot(serverPid);
      const startedAt = performance.now();
      const latencies = await pool(settings.callsPerRound, settings.concurrency, async (index) => {
        const callStarted = performance.now();
        await side.call(index);
        return performance.now() - callStarted;
      });
      const entry = totals[side.name];
      entry.seconds += (performance.now() - startedAt) / 1000;
      const cpu = cpuSince(cpuAtStart, serverPid);
      entry.processCpuMs += cpu.processMs;
      entry.serverCpuMs = entry.serverCpuMs === null || cpu.serverMs === null ? null : entry.serverCpuMs + cpu.serverMs;
      entry.calls += settings.callsPerRound;
      entry.latencies.push(...latencies);
    }
  }
  const result = {} as Record<T, RateSide>;
  for (const side of sides) {
    const entry = totals[side.name];
    result[side.name] = {
      per_s: round(entry.calls / entry.seconds, 1),
      calls: entry.calls,
      seconds: round(entry.seconds, 3),
      p50_ms: round(percentile(entry.latencies, 50) ?? 0, 1),
      p99_ms: round(percentile(entry.latencies, 99) ?? 0, 1),
      process_cpu_ms_per_call: round(entry.processCpuMs / entry.calls, 2),
      server_cpu_ms_per_call: entry.serverCpuMs === null ? null : round(entry.serverCpuMs / entry.calls, 2),
    };
  }
  return result;
}

/** The HTTP floor: POST /start (form: To) starts as the API would, POST /signal?ExecutionSid= signals as the gateway would. */
async function startHttpFloor(start: (contact: string) => Promise<unknown>, signal: (executionSid: string, params: Record<string, string>) => Promise<void>) {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    void (async () => {
      const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
      const url = new URL(req.url ?? '/', 'http://floor');
      if (url.pathname === '/start') await start(params.To);
      else await signal(url.searchParams.get('ExecutionSid') ?? '', params);
      res.writeHead(200).end();
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  return { url: await listen(server), close: () => close(server) };
}

async function postOk(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<void> {
  const answer = await postForm(url, params, headers);
  if (answer.status >= 300) throw new Error(`${url} answered ${answer.status}: ${answer.body}`);
}

export async function measureApiOverhead(stack: BenchStack, api: StudioApi, settings: ApiOverheadSettings): Promise<ApiOverhead> {
  const taskQueue = stack.config.taskQueue; // the API's queue: no worker polls it
  const definition = { description: 'bench: trigger only', states: [trigger(undefined)], initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };
  const flowSid = await api.createFlow('bench starts', definition);
  const running: string[] = [];
  const startWithApiOptions = async (contact: string) => {
    const sid = newSid('FN');
    await stack.temporal.workflow.start('studioExecution', {
      workflowId: sid,
      taskQueue,
      args: [interpreterInput(stack, flowSid, definition, sid, contact, { name: CONTACT_NAME })],
      typedSearchAttributes: [
        { key: FLOW_SID, value: flowSid },
        { key: FLOW_REVISION, value: 1 },
        { key: EXECUTION_STATUS, value: 'active' },
        { key: CURRENT_WIDGET, value: 'Trigger' },
        { key: CONTACT_HASH, value: contactHash(contact) },
      ],
      staticSummary: `Studio flow bench starts (${flowSid}) revision 1`,
      staticDetails: `**Flow** bench starts\n\n**Flow SID** ${flowSid}\n\n**Revision** 1\n\n**Trigger** incomingRequest`,
    });
  };
  const signalAsGateway = async (executionSid: string, params: Record<string, string>) => {
    const message: InboundMessage = { source: 'conversation', messageSid: params.MessageSid, params: { ...params, From: params.Author } };
    await stack.temporal.workflow.getHandle(executionSid).signal('inboundMessage', message);
  };
  const floor = await startHttpFloor(startWithApiOptions, signalAsGateway);

  const startSides: Side<'ours' | 'raw' | 'raw_with_api_options' | 'http_floor'>[] = [
    {
      name: 'ours',
      call: async () => {
        running.push(await api.startExecution(flowSid, nextContact(), CHANNEL_ADDRESS, { name: CONTACT_NAME }));
      },
    },
    {
      name: 'raw',
      call: async () => {
        await stack.temporal.workflow.start('handWrittenEmpty', { workflowId: newSid('FN'), taskQueue, args: [] });
      },
    },
    {
      name: 'raw_with_api_options',
      call: () => startWithApiOptions(nextContact()),
    },
    {
      name: 'http_floor',
      call: () => postOk(`${floor.url}/start`, { To: nextContact(), From: CHANNEL_ADDRESS, Parameters: JSON.stringify({ name: CONTACT_NAME }) }),
    },
  ];
  const serverPid = stack.devServer.process.pid;
  const starts = await interleave(startSides, settings, serverPid);

  // Webhooks go to the executions the API just started (running: nothing polls their queue).
  const webhookUrl = (executionSid: string) => `${flowWebhookUrl(stack.config, flowSid)}?ExecutionSid=${executionSid}`;
  const conversationSid = newSid('CH');
  const messageParams = (index: number): Record<string, string> => ({
    AccountSid: stack.config.accountSid,
    EventType: 'onMessageAdded',
    ConversationSid: conversationSid,
    MessageSid: newSid('IM'),
    ParticipantSid: newSid('MB'),
    Author: '+15550000000',
    Body: `reply ${index}`,
    Index: String(index),
    Source: 'SMS',
    DateCreated: new Date().toISOString(),
    Attributes: '{}',
  });
  const target = (index: number) => running[index % running.length];
  const webhookSides: Side<'ours' | 'raw' | 'http_floor'>[] = [
    {
      name: 'ours',
      call: async (index) => {
        const url = webhookUrl(target(index));
        const params = messageParams(index);
        await postOk(url, params, { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(stack.config.authToken, url, params) });
      },
    },
    {
      name: 'raw',
      call: (index) => signalAsGateway(target(index), messageParams(index)),
    },
    {
      name: 'http_floor',
      // Signed as the gateway's posts are, so the client's work is the same; the floor does not check it.
      call: async (index) => {
        const url = `${floor.url}/signal?ExecutionSid=${target(index)}`;
        const params = messageParams(index);
        await postOk(url, params, { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(stack.config.authToken, url, params) });
      },
    },
  ];
  const webhooks = await interleave(webhookSides, settings, serverPid);
  await floor.close();

  const pair = (ours: RateSide, raw: RateSide): RatePair => {
    const value = ratio(raw.per_s, ours.per_s);
    return { ours, raw, ratio: value, goal: value === null ? null : value >= GOAL_RATIO };
  };
  const httpFloor = (ours: RateSide, raw: RateSide, floorSide: RateSide): HttpFloor => ({
    http_floor: floorSide,
    ratio_to_http_floor: ratio(floorSide.per_s, ours.per_s),
    http_floor_ratio: ratio(raw.per_s, floorSide.per_s),
  });
  return {
    concurrency: settings.concurrency,
    starts: {
      ...pair(starts.ours, starts.raw),
      ...httpFloor(starts.ours, starts.raw, starts.http_floor),
      raw_with_api_options: starts.raw_with_api_options,
      ratio_to_raw_with_api_options: ratio(starts.raw_with_api_options.per_s, starts.ours.per_s),
    },
    webhooks: { ...pair(webhooks.ours, webhooks.raw), ...httpFloor(webhooks.ours, webhooks.raw, webhooks.http_floor) },
  };
}
