// Issue items 1 and 5: each flow, its hand-written twin against the interpreter, on the same worker,
// interleaved (ABBA…). Three measurements, each its own phase: the history of one execution (events,
// by type, and the commands, which must be the same); throughput at saturation (N concurrent
// executions, wall time until all have ended); latency at low load (a reply's latency for the survey,
// start to last message otherwise).
import { cpuSince, cpuSnapshot } from './cpu-meter';
import { converse, runExecution } from './device-driver';
import { fetchAndCount, firstDifference, type History, type HistoryCount } from './history-events';
import { interleavedOrder, median, percentile, pool, ratio, round, roundOrNull } from './stats';
import type { BenchStack } from './stack';
import { nextContact, startVariant, VARIANTS, type BenchFlow, type VariantName } from './variants';

export interface ComparisonSettings {
  /** Concurrent executions in a saturation round. */
  concurrency: number;
  roundsEach: number;
  /** A concurrent round of each variant before measuring (not counted). */
  warmUp: boolean;
  /** Reply latency samples per variant (flows with replies). */
  latencySamples: number;
  /** Start-to-last-message samples per variant (flows without replies). */
  startLatencySamples: number;
  /** Executions running side by side while latency is measured. */
  latencyLanes: number;
  historySamples: number;
}

export interface HistorySample {
  workflowId: string;
  history: History;
  count: HistoryCount;
  totals: number[];
  messages: string[];
}

export interface SaturationRound {
  executions: number;
  seconds: number;
  per_s: number;
  /** CPU of the benchmark's process (workers, activities, emulator, gateway, devices) and of the Temporal server, per execution. */
  process_cpu_ms_per_execution: number;
  server_cpu_ms_per_execution: number | null;
}

export interface SaturationResult {
  rounds: Record<VariantName, SaturationRound[]>;
  replyLatenciesMs: Record<VariantName, number[]>;
}

export interface VariantMeasurement {
  throughput_per_s: number | null;
  rounds: SaturationRound[];
  /** CPU per execution while saturated, summed over the rounds: steadier than a rate on a shared machine. */
  cpu_ms_per_execution: { process: number | null; server: number | null; total: number | null };
  latency_kind: 'reply' | 'start_to_last_message';
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
  latency_samples: number;
  /** The survey's reply latency while saturated (queueing included), for information. */
  saturated_reply_latency_p50_ms: number | null;
  saturated_reply_latency_p99_ms: number | null;
  history: HistoryCount & { samples: number[] };
}

export interface FlowComparison {
  title: string;
  hand_written: VariantMeasurement;
  interpreter: VariantMeasurement;
  throughput_ratio: number | null;
  latency_p50_ratio: number | null;
  latency_p99_ratio: number | null;
  /** Total CPU per execution, (b)/(a): what throughput would be on a machine of one's own, CPU-bound, inverted. */
  cpu_ratio: number | null;
  history_events: { hand_written: number; interpreter: number };
  history_events_by_type: { hand_written: Record<string, number>; interpreter: Record<string, number> };
  /** Whether both issued the same commands (activities with options and summaries, timers, upserts, signals). */
  commands_match: boolean;
  first_command_difference: { index: number; a: string | null; b: string | null } | null;
  /** Whether both put the same messages on the device. */
  same_device_messages: boolean;
  goals: { throughput: boolean | null; latency_p50: boolean | null; latency_p99: boolean | null; history_events: boolean };
}

export const GOALS = { throughputRatio: 0.9, latencyRatio: 1.1 } as const;

/**
 * Histories of `samples` executions per variant, taken in quiet mode (delivery reports dropped, replies
 * sent once the workflow waits) so that a history's length does not depend on races. Executions run
 * side by side: that changes nothing in a history that has no race left.
 */
export async function measureHistories(stack: BenchStack, flow: BenchFlow, samples: number): Promise<Record<VariantName, HistorySample>> {
  const jobs = VARIANTS.flatMap((variant) => Array.from({ length: samples }, () => variant));
  const runs = await Promise.all(
    jobs.map(async (variant) => {
      const run = await runExecution(stack, flow, variant, { waitUntilWaiting: true });
      return { variant, run, ...(await fetchAndCount(stack.temporal.workflow.getHandle(run.sid))) };
    }),
  );
  const result = {} as Record<VariantName, HistorySample>;
  for (const variant of VARIANTS) {
    const mine = runs.filter((entry) => entry.variant === variant);
    const totals = mine.map((entry) => entry.count.total);
    const typical = mine.find((entry) => entry.count.total === median(totals)) ?? mine[0];
    result[variant] = { workflowId: typical.run.sid, history: typical.history, count: typical.count, totals, messages: typical.run.messages };
  }
  return result;
}

async function saturationRound(
  stack: BenchStack,
  flow: BenchFlow,
  variant: VariantName,
  concurrency: number,
): Promise<{ seconds: number; replyLatenciesMs: number[]; processCpuMs: number; serverCpuMs: number | null }> {
  const serverPid = stack.devServer.process.pid;
  const cpuAtStart = cpuSnapshot(serverPid);
  const startedAt = performance.now();
  const runs = await Promise.all(Array.from({ length: concurrency }, () => runExecution(stack, flow, variant)));
  const seconds = (performance.now() - startedAt) / 1000;
  // Delivery reports still on their way belong to this round (time excepted): let them land before the next one starts.
  await stack.emulator.settled();
  const cpu = cpuSince(cpuAtStart, serverPid);
  return { seconds, replyLatenciesMs: runs.flatMap((run) => run.replyLatenciesMs), processCpuMs: cpu.processMs, serverCpuMs: cpu.serverMs };
}

/** Rounds of `concurrency` executions, the variants taking turns ABBA…; `firstVariant` opens. */
export async function measureSaturation(
  stack: BenchStack,
  flow: BenchFlow,
  settings: ComparisonSettings,
  log: (line: string) => void,
  firstVariant: VariantName = 'hand_written',
): Promise<SaturationResult> {
  const secondVariant: VariantName = firstVariant === 'hand_written' ? 'interpreter' : 'hand_written';
  if (settings.warmUp) for (const variant of VARIANTS) await saturationRound(stack, flow, variant, Math.min(settings.concurrency, 10));
  const result: SaturationResult = { rounds: { hand_written: [], interpreter: [] }, replyLatenciesMs: { hand_written: [], interpreter: [] } };
  for (const variant of interleavedOrder(firstVariant, secondVariant, settings.roundsEach)) {
    const { seconds, replyLatenciesMs, processCpuMs, serverCpuMs } = await saturationRound(stack, flow, variant, settings.concurrency);
    result.rounds[variant].push({
      executions: settings.concurrency,
      seconds: round(seconds, 3),
      per_s: round(settings.concurrency / seconds, 1),
      process_cpu_ms_per_execution: round(processCpuMs / settings.concurrency, 1),
      server_cpu_ms_per_execution: serverCpuMs === null ? null : round(serverCpuMs / settings.concurrency, 1),
    });
    result.replyLatenciesMs[variant].push(...replyLatenciesMs);
    log(`  ${flow.key}: ${variant} ${settings.concurrency} executions in ${seconds.toFixed(2)} s (${(settings.concurrency / seconds).toFixed(1)}/s)`);
  }
  return result;
}

/** Latency at low load: executions in `latencyLanes` lanes, variants alternating, replies sent once the workflow waits. */
export async function measureLatency(stack: BenchStack, flow: BenchFlow, settings: ComparisonSettings): Promise<Record<VariantName, number[]>> {
  const repliesPerExecution = flow.answers.length;
  const wanted = repliesPerExecution > 0 ? settings.latencySamples : settings.startLatencySamples;
  const executionsEach = Math.ceil(wanted / Math.max(1, repliesPerExecution));
  const jobs = interleavedOrder<VariantName>('hand_written', 'interpreter', executionsEach);
  const samples: Record<VariantName, number[]> = { hand_written: [], interpreter: [] };
  await pool(jobs.length, settings.latencyLanes, async (index) => {
    const variant = jobs[index];
    const contact = nextContact();
    const startedAtMs = performance.now();
    const handle = await startVariant(stack, flow, variant, contact);
    const run = await converse(stack, handle, contact, flow.answers, flow.expectedMessages, startedAtMs, { waitUntilWaiting: true });
    if (repliesPerExecution > 0) samples[variant].push(...run.replyLatenciesMs);
    else samples[variant].push(run.startToLastMessageMs);
  });
  for (const variant of VARIANTS) samples[variant] = samples[variant].slice(0, wanted);
  await stack.emulator.settled();
  return samples;
}

export function compareFlow(
  flow: BenchFlow,
  history: Record<VariantName, HistorySample>,
  saturation: SaturationResult,
  latencies: Record<VariantName, number[]>,
): FlowComparison {
  const measure = (variant: VariantName): VariantMeasurement => {
    const rounds = saturation.rounds[variant];
    const totalExecutions = rounds.reduce((sum, entry) => sum + entry.executions, 0);
    const totalSeconds = rounds.reduce((sum, entry) => sum + entry.seconds, 0);
    const saturated = saturation.replyLatenciesMs[variant];
    const perExecution = (pick: (entry: SaturationRound) => number | null): number | null => {
      if (totalExecutions === 0 || rounds.some((entry) => pick(entry) === null)) return null;
      return round(rounds.reduce((sum, entry) => sum + pick(entry)! * entry.executions, 0) / totalExecutions, 1);
    };
    const processCpu = perExecution((entry) => entry.process_cpu_ms_per_execution);
    const serverCpu = perExecution((entry) => entry.server_cpu_ms_per_execution);
    return {
      throughput_per_s: totalSeconds > 0 ? round(totalExecutions / totalSeconds, 1) : null,
      rounds,
      cpu_ms_per_execution: { process: processCpu, server: serverCpu, total: processCpu === null || serverCpu === null ? null : round(processCpu + serverCpu, 1) },
      latency_kind: flow.answers.length > 0 ? 'reply' : 'start_to_last_message',
      latency_p50_ms: roundOrNull(percentile(latencies[variant], 50), 1),
      latency_p99_ms: roundOrNull(percentile(latencies[variant], 99), 1),
      latency_samples: latencies[variant].length,
      saturated_reply_latency_p50_ms: roundOrNull(percentile(saturated, 50), 1),
      saturated_reply_latency_p99_ms: roundOrNull(percentile(saturated, 99), 1),
      history: { ...history[variant].count, samples: history[variant].totals },
    };
  };
  const handWritten = measure('hand_written');
  const interpreter = measure('interpreter');
  const throughputRatio = ratio(handWritten.throughput_per_s, interpreter.throughput_per_s);
  const latencyP50Ratio = ratio(handWritten.latency_p50_ms, interpreter.latency_p50_ms);
  const latencyP99Ratio = ratio(handWritten.latency_p99_ms, interpreter.latency_p99_ms);
  const difference = firstDifference(history.hand_written.count.commands, history.interpreter.count.commands);
  return {
    title: flow.title,
    hand_written: handWritten,
    interpreter,
    throughput_ratio: throughputRatio,
    latency_p50_ratio: latencyP50Ratio,
    latency_p99_ratio: latencyP99Ratio,
    cpu_ratio: ratio(handWritten.cpu_ms_per_execution.total, interpreter.cpu_ms_per_execution.total),
    history_events: { hand_written: history.hand_written.count.total, interpreter: history.interpreter.count.total },
    history_events_by_type: { hand_written: history.hand_written.count.byType, interpreter: history.interpreter.count.byType },
    commands_match: difference === null,
    first_command_difference: difference,
    same_device_messages: JSON.stringify(history.hand_written.messages) === JSON.stringify(history.interpreter.messages),
    goals: {
      throughput: throughputRatio === null ? null : throughputRatio >= GOALS.throughputRatio,
      latency_p50: latencyP50Ratio === null ? null : latencyP50Ratio <= GOALS.latencyRatio,
      latency_p99: latencyP99Ratio === null ? null : latencyP99Ratio <= GOALS.latencyRatio,
      history_events: history.hand_written.count.total === history.interpreter.count.total,
    },
  };
}
