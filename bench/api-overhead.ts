// Issue item 2: what our API and gateway cost over raw Temporal client calls, in the same run, the sides
// taking turns. Starts: REST-trigger creates (POST /v2/Flows/{sid}/Executions, distinct contacts)
// against `client.workflow.start` of an empty workflow, and, to tell the API's share from the start
// options', against `client.workflow.start` with exactly the options the API uses. Webhooks: signed
// onMessageAdded posts to the flow webhook URL against `handle.signal` with the payload the gateway
// would send. Both go to a task queue no worker polls: the executions stay running, and only the
// start or signal path is measured.
import twilio from 'twilio';
import { flowWebhookUrl } from '../common/config';
import { cpuSince, cpuSnapshot } from './cpu-meter';
import { postForm } from './http-client';
import { newSid } from '../common/sid';
import type { InboundMessage } from '../workflows/engine/types';
import { trigger } from './flows';
import { percentile, pool, ratio, round } from './stats';
import type { BenchStack } from './stack';
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

export interface ApiOverhead {
  concurrency: number;
  starts: RatePair & { raw_with_api_options: RateSide; ratio_to_raw_with_api_options: number | null };
  webhooks: RatePair;
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

export async function measureApiOverhead(stack: BenchStack, api: StudioApi, settings: ApiOverheadSettings): Promise<ApiOverhead> {
  const taskQueue = stack.config.taskQueue; // the API's queue: no worker polls it
  const definition = { description: 'bench: trigger only', states: [trigger(undefined)], initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };
  const flowSid = await api.createFlow('bench starts', definition);
  const running: string[] = [];

  const startSides: Side<'ours' | 'raw' | 'raw_with_api_options'>[] = [
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
      call: async () => {
        const sid = newSid('FN');
        const contact = nextContact();
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
      },
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
  const webhookSides: Side<'ours' | 'raw'>[] = [
    {
      name: 'ours',
      call: async (index) => {
        const url = webhookUrl(target(index));
        const params = messageParams(index);
        const answer = await postForm(url, params, { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(stack.config.authToken, url, params) });
        if (answer.status !== 200) throw new Error(`the gateway answered ${answer.status}: ${answer.body}`);
      },
    },
    {
      name: 'raw',
      call: async (index) => {
        const params = messageParams(index);
        const message: InboundMessage = { source: 'conversation', messageSid: params.MessageSid, params: { ...params, From: params.Author } };
        await stack.temporal.workflow.getHandle(target(index)).signal('inboundMessage', message);
      },
    },
  ];
  const webhooks = await interleave(webhookSides, settings, serverPid);

  const pair = (ours: RateSide, raw: RateSide): RatePair => {
    const value = ratio(raw.per_s, ours.per_s);
    return { ours, raw, ratio: value, goal: value === null ? null : value >= GOAL_RATIO };
  };
  return {
    concurrency: settings.concurrency,
    starts: { ...pair(starts.ours, starts.raw), raw_with_api_options: starts.raw_with_api_options, ratio_to_raw_with_api_options: ratio(starts.raw_with_api_options.per_s, starts.ours.per_s) },
    webhooks: pair(webhooks.ours, webhooks.raw),
  };
}
