// The workflow code's own CPU per execution, without the server, the network or the activities:
// each variant's recorded history replayed many times by a replay worker with the bundle its live
// worker runs, the variants taking turns. What the interpreter costs beyond the hand-written workflow
// here is its whole CPU overhead in the worker; throughput differences the live rounds show but this
// does not come from elsewhere (payload sizes on the server, scheduling noise).
import { Worker } from '@temporalio/worker';
import type { HistorySample } from './flow-comparison';
import { ratio, round } from './stats';
import { VARIANTS, type FlowKey, type VariantName } from './variants';

export interface ReplayCost {
  replays_each: number;
  cpu_ms_per_execution: Record<VariantName, number>;
  /** interpreter / hand-written. */
  ratio: number | null;
  history_bytes: Record<VariantName, number>;
}

/** No-op ends for the sinks the interpreter calls (sink calls are not made on replay anyway). */
const REPLAY_SINKS = { metrics: { executionEnded: { fn: () => undefined, callDuringReplay: false } } };

interface ReplayItem {
  key: FlowKey;
  variant: VariantName;
  sample: HistorySample;
  measured: boolean;
}

export async function measureReplayCost(
  bundles: Record<VariantName, string>,
  histories: Partial<Record<FlowKey, Record<VariantName, HistorySample>>>,
  settings: { replays: number; passes: number },
): Promise<Partial<Record<FlowKey, ReplayCost>>> {
  const entries = Object.entries(histories) as [FlowKey, Record<VariantName, HistorySample>][];
  // One replay worker for everything (starting one costs more than many replays). One replay of each
  // history first, unmeasured, so the sandbox and the JIT are warm; then the variants take turns.
  const items: ReplayItem[] = [];
  for (const [key, samples] of entries) for (const variant of VARIANTS) items.push({ key, variant, sample: samples[variant], measured: false });
  for (let pass = 0; pass < settings.passes; pass++) {
    for (const [key, samples] of entries) {
      const order: VariantName[] = pass % 2 === 0 ? ['hand_written', 'interpreter'] : ['interpreter', 'hand_written'];
      for (const variant of order) for (let replay = 0; replay < settings.replays; replay++) items.push({ key, variant, sample: samples[variant], measured: true });
    }
  }
  const cpuMs = new Map<string, number>();
  // One replay worker per variant (starting one costs more than many replays); the items of the other
  // variant are skipped by that worker's run, so the variants still take turns in time.
  for (const variant of VARIANTS) {
    const mine = items.filter((item) => item.variant === variant);
    let index = 0;
    let last = process.cpuUsage();
    // Results come back one history at a time, in order: the CPU used between two results is the replay's.
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { code: bundles[variant] }, sinks: REPLAY_SINKS },
      mine.map((item) => ({ workflowId: item.sample.workflowId, history: item.sample.history })),
    )) {
      if (result.error) throw result.error;
      const now = process.cpuUsage();
      const item = mine[index++];
      if (item.measured) {
        const id = `${item.key}/${item.variant}`;
        cpuMs.set(id, (cpuMs.get(id) ?? 0) + (now.user - last.user + now.system - last.system) / 1000);
      }
      last = now;
    }
  }
  const result: Partial<Record<FlowKey, ReplayCost>> = {};
  const count = settings.replays * settings.passes;
  for (const [key, samples] of entries) {
    const perExecution = (variant: VariantName) => round((cpuMs.get(`${key}/${variant}`) ?? 0) / count, 2);
    result[key] = {
      replays_each: count,
      cpu_ms_per_execution: { hand_written: perExecution('hand_written'), interpreter: perExecution('interpreter') },
      ratio: ratio(perExecution('hand_written'), perExecution('interpreter')),
      history_bytes: { hand_written: samples.hand_written.count.bytes, interpreter: samples.interpreter.count.bytes },
    };
  }
  return result;
}
