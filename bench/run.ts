// `npm run bench [-- --quick] [-- --waiting N]`: measures the interpreter against Temporal's floor
// (hand-written twins of the same flows), the API and gateway against raw client calls, the history
// events each widget adds, and validation speed, on a stack of its own (bench/stack.ts). Writes a
// Markdown report to stdout and bench/results.md, and bench/results.json (both gitignored). Progress
// goes to stderr. The run never fails on a missed goal: goals are reported pass/fail.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureApiOverhead, type ApiOverheadSettings } from './api-overhead';
import { compareFlow, measureHistories, measureLatency, measureSaturation, type ComparisonSettings, type HistorySample } from './flow-comparison';
import { logicFlow, sendOnlyFlow, surveyFlow } from './flows';
import { LOGIC_CHAIN_LENGTH, SURVEY_ANSWERS } from './flow-texts';
import { goalVerdicts, renderMarkdown, type BenchResults } from './report';
import { startBenchStack } from './stack';
import { percentile, ratio, roundOrNull } from './stats';
import { StudioApi } from './studio-api';
import { measureReplayCost } from './replay-cost';
import { measureValidationSpeed } from './validation-speed';
import { CONTACT_NAME, type BenchFlow, type FlowKey, type VariantName } from './variants';
import { measureWidgetCosts } from './widget-costs';
import { measureWorkerMemory } from './worker-memory';

interface Settings {
  comparison: ComparisonSettings;
  api: ApiOverheadSettings;
  validation: { validateRuns: number; createRuns: number };
  replay: { replays: number; passes: number };
  /** Executions waiting for a reply while the worker's memory is read; 0 skips it. */
  waiting: number;
}

/** Hand-written surveys waiting in the reference worker (its memory per execution is what matters). */
const HAND_WRITTEN_WAITING = 1000;

const QUICK: Settings = {
  comparison: { concurrency: 10, roundsEach: 1, warmUp: false, latencySamples: 50, startLatencySamples: 10, latencyLanes: 10, historySamples: 1 },
  api: { callsPerRound: 50, roundsEach: 2, concurrency: 20 },
  validation: { validateRuns: 20, createRuns: 3 },
  replay: { replays: 8, passes: 2 },
  waiting: 0,
};

const FULL: Settings = {
  comparison: { concurrency: 50, roundsEach: 4, warmUp: true, latencySamples: 200, startLatencySamples: 200, latencyLanes: 2, historySamples: 3 },
  api: { callsPerRound: 250, roundsEach: 4, concurrency: 20 },
  validation: { validateRuns: 100, createRuns: 10 },
  replay: { replays: 50, passes: 4 },
  waiting: 5000,
};

const METHOD = [
  'One process runs the emulator (in memory), the API (embedded database) and two workers with the same activities: one runs the production bundle (workflows/index.ts, unchanged), the other the hand-written twins (bench/hand-written-workflows.ts) bundled on their own; a Temporal dev server of its own runs in memory.',
  'Both variants are started with client.workflow.start and the options the API uses (execution SID as workflow ID, the five search attributes, summary, details); only the workflow differs. Their histories are checked to hold the same commands (activities with options and summaries, timers, upserts, signals) and the devices to receive the same messages.',
  'Throughput: rounds of N concurrent executions, wall time from the first start to the last end (replies sent by simulated devices through POST /Emulator/Inbound as soon as each question arrives), the variants taking turns ABBA; executions per second = all executions / all round time.',
  'Latency at low load: a reply\'s latency (survey) is from the device\'s POST /Emulator/Inbound to the next message at the device, the reply being sent once the workflow waits (its timer started); for flows without replies, from the start call to the last message at the device. The device learns of a message without polling: the benchmark watches the emulator\'s create-message calls, which put the message in the device\'s inbox before they answer.',
  'History events: executions run in quiet mode, where delivery reports (status callbacks, onDeliveryUpdated) are dropped by a proxy in front of the gateway and replies wait for the workflow. The gateway signals only reports of failed deliveries, which the benchmark\'s messages do not have; the proxy makes sure of it (a signalled report adds a signal and up to three workflow-task events, at a moment that varies from run to run).',
  'API starts and webhooks: executions started through the API on a task queue no worker polls (only the start or signal path is measured); webhooks are signed onMessageAdded posts with ExecutionSid to those running executions, against handle.signal with the payload the gateway sends. A third side, the HTTP floor, is a bare node:http server in this process that only reads the form and makes the raw call (the start with the API\'s options, the signal): the cost of the HTTP hop alone.',
  'Workflow code CPU: each variant\'s recorded history replayed by a replay worker with the bundle its live worker runs (process CPU time per replay, variants taking turns): the interpreter\'s own cost in the worker, free of server and network noise.',
  'Worker memory (full mode): worker/main.ts in its own process on a task queue of its own, interpreter surveys waiting at their first question, VmRSS from /proc/<pid>/status; for reference, the hand-written survey on the same wiring (bench/hand-written-worker.ts) with 1,000 waiting. Both with the production default WORKER_MAX_CACHED_WORKFLOWS (1,000): beyond it, waiting executions are evicted from the cache and replayed at their next task.',
];

function loadAverage(): number[] {
  return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

function numberArgument(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : undefined;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const settings: Settings = { ...(quick ? QUICK : FULL) };
  settings.waiting = numberArgument('--waiting') ?? settings.waiting;
  const startedAt = Date.now();
  const loadAtStart = loadAverage();
  const log = (line: string) => {
    const cpu = process.cpuUsage();
    process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1)}s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)}s] ${line}\n`);
  };

  const stack = await startBenchStack(log);
  try {
    const api = new StudioApi(stack.apiUrl, stack.config.accountSid, stack.config.authToken);
    const flows: BenchFlow[] = [];
    const add = async (flow: Omit<BenchFlow, 'flowSid'>) => flows.push({ ...flow, flowSid: await api.createFlow(flow.friendlyName, flow.definition) });
    await add({
      key: 'send_only',
      title: 'Send only: REST trigger, 3 × send-message over Programmable Messaging',
      friendlyName: 'bench send only',
      definition: sendOnlyFlow(),
      handWrittenType: 'handWrittenSendOnly',
      expectedMessages: 3,
      answers: [],
      parameters: { name: CONTACT_NAME, days: 3 },
    });
    await add({
      key: 'survey',
      title: 'Survey: Start Conversation, 3 × send-and-wait-for-reply, a split, a final message, webhook removal',
      friendlyName: 'bench survey',
      definition: surveyFlow(),
      handWrittenType: 'handWrittenSurvey',
      expectedMessages: 4,
      answers: SURVEY_ANSWERS,
      parameters: { name: CONTACT_NAME },
    });
    await add({
      key: 'logic_50',
      title: `Logic: ${LOGIC_CHAIN_LENGTH} set-variables / split-based-on with Liquid, one send-message`,
      friendlyName: 'bench logic',
      definition: logicFlow(),
      handWrittenType: 'handWrittenLogic',
      expectedMessages: 1,
      answers: [],
      parameters: { name: CONTACT_NAME },
    });

    // Quiet phase: every history that is counted, side by side (also the worker's warm-up).
    log('history events (quiet mode)');
    stack.setQuiet(true);
    const [histories, eventsPerWidget] = await Promise.all([
      Promise.all(flows.map((flow) => measureHistories(stack, flow, settings.comparison.historySamples))),
      measureWidgetCosts(stack, api),
    ]);
    stack.setQuiet(false);
    await stack.emulator.settled();

    log('workflow code CPU (replay)');
    const replayCost = await measureReplayCost(
      stack.workflowBundles,
      Object.fromEntries(flows.map((flow, index) => [flow.key, histories[index]])),
      settings.replay,
    );

    log('validation speed');
    const validation = await measureValidationSpeed(api, settings.validation);

    const comparisons = {} as Record<FlowKey, ReturnType<typeof compareFlow>>;
    let surveyLatencies: Record<VariantName, number[]> | null = null;
    for (const [index, flow] of flows.entries()) {
      log(`${flow.key}: saturation`);
      // With one round each, the flows take turns opening, so neither variant always runs first.
      const saturation = await measureSaturation(stack, flow, settings.comparison, log, index % 2 === 0 ? 'hand_written' : 'interpreter');
      log(`${flow.key}: latency`);
      const latencies = await measureLatency(stack, flow, settings.comparison);
      if (flow.key === 'survey') surveyLatencies = latencies;
      comparisons[flow.key] = compareFlow(flow, histories[index] as Record<VariantName, HistorySample>, saturation, latencies);
    }

    log('API starts and gateway webhooks');
    const startsAndWebhooks = await measureApiOverhead(stack, api, settings.api);

    let workerMemory: BenchResults['worker_memory'] = null;
    if (settings.waiting > 0) {
      const survey = flows.find((flow) => flow.key === 'survey')!;
      const reference = Math.min(settings.waiting, HAND_WRITTEN_WAITING);
      log(`worker memory: ${reference} hand-written surveys waiting, then ${settings.waiting} interpreter surveys`);
      const handWritten = await measureWorkerMemory(stack, survey, 'hand_written', reference, [], log);
      const interpreter = await measureWorkerMemory(stack, survey, 'interpreter', settings.waiting, [reference, 2000, 3000, 4000], log);
      workerMemory = { interpreter, hand_written: handWritten };
    }

    const replies = surveyLatencies ?? { hand_written: [], interpreter: [] };
    const p = (variant: VariantName, at: number) => roundOrNull(percentile(replies[variant], at), 1);
    const partial: Omit<BenchResults, 'goals' | 'method'> = {
      date: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      duration_s: Math.round((Date.now() - startedAt) / 100) / 10,
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? 'unknown',
        node_version: process.version,
        platform: `${os.platform()} ${os.release()}`,
        total_memory_gb: Math.round(os.totalmem() / 2 ** 30),
        load_average_at_start: loadAtStart,
        load_average_at_end: loadAverage(),
        note:
          'Absolute numbers depend on the machine and on what else runs on it (a load average above the CPU count means other work competed for the CPUs). ' +
          'Ratios are what the goals judge: both sides ran on the same server, in the same run, taking turns.',
      },
      settings: settings as unknown as Record<string, unknown>,
      flows: comparisons,
      worker_rss_mb_5000_waiting: workerMemory && workerMemory.interpreter.waiting_executions === 5000 ? workerMemory.interpreter.rss_mb : null,
      worker_memory: workerMemory,
      workflow_cpu_replay: replayCost,
      reply_latency: {
        replies_each: Math.min(replies.hand_written.length, replies.interpreter.length),
        hand_written: { p50_ms: p('hand_written', 50), p99_ms: p('hand_written', 99) },
        interpreter: { p50_ms: p('interpreter', 50), p99_ms: p('interpreter', 99) },
        p50_ratio: ratio(p('hand_written', 50), p('interpreter', 50)),
        p99_ratio: ratio(p('hand_written', 99), p('interpreter', 99)),
      },
      starts_and_webhooks: startsAndWebhooks,
      events_per_widget: eventsPerWidget,
      validation,
    };
    const results: BenchResults = { ...partial, goals: goalVerdicts(partial), method: METHOD };
    const markdown = renderMarkdown(results);
    fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    fs.writeFileSync(path.join(__dirname, 'results.md'), markdown);
    process.stdout.write(markdown);
    log(`done; wrote bench/results.md and bench/results.json (quiet mode dropped ${stack.droppedDeliveryReports} delivery reports)`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
