// The benchmark's results: the JSON document (bench/results.json) and its Markdown rendering
// (bench/results.md and stdout).
import type { ApiOverhead, RateSide } from './api-overhead';
import type { FlowComparison } from './flow-comparison';
import type { ReplayCost } from './replay-cost';
import type { FlowKey } from './variants';
import type { ValidationSpeed } from './validation-speed';
import type { WidgetCost } from './widget-costs';
import type { WorkerMemory } from './worker-memory';

export interface ReplyLatency {
  replies_each: number;
  hand_written: { p50_ms: number | null; p99_ms: number | null };
  interpreter: { p50_ms: number | null; p99_ms: number | null };
  p50_ratio: number | null;
  p99_ratio: number | null;
}

export interface BenchResults {
  date: string;
  mode: 'quick' | 'full';
  duration_s: number;
  machine: {
    cpus: number;
    cpu_model: string;
    node_version: string;
    platform: string;
    total_memory_gb: number;
    load_average_at_start: number[];
    load_average_at_end: number[];
    note: string;
  };
  settings: Record<string, unknown>;
  flows: Record<FlowKey, FlowComparison>;
  worker_rss_mb_5000_waiting: number | null;
  worker_memory: { interpreter: WorkerMemory; hand_written: WorkerMemory } | null;
  workflow_cpu_replay: Partial<Record<FlowKey, ReplayCost>>;
  reply_latency: ReplyLatency;
  starts_and_webhooks: ApiOverhead;
  events_per_widget: WidgetCost[];
  validation: ValidationSpeed;
  goals: { name: string; passed: boolean | null; detail: string }[];
  method: string[];
}

const mark = (passed: boolean | null | undefined) => (passed === null || passed === undefined ? 'n/a' : passed ? 'pass' : 'FAIL');
const show = (value: number | null | undefined, suffix = '') => (value === null || value === undefined ? '–' : `${value}${suffix}`);

function cpuCell(cpu: { process: number | null; server: number | null; total: number | null }): string {
  return cpu.total === null ? show(cpu.process, ' ms') : `${cpu.process} + ${cpu.server} = ${cpu.total} ms`;
}

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Every goal of the issue with its verdict; the run never fails on one. */
export function goalVerdicts(results: Omit<BenchResults, 'goals' | 'method'>): BenchResults['goals'] {
  const goals: BenchResults['goals'] = [];
  for (const [key, flow] of Object.entries(results.flows)) {
    goals.push({ name: `${key}: interpreter/hand-written throughput ≥ 0.9`, passed: flow.goals.throughput, detail: show(flow.throughput_ratio) });
    goals.push({ name: `${key}: latency p50 ≤ 1.1×`, passed: flow.goals.latency_p50, detail: show(flow.latency_p50_ratio) });
    goals.push({ name: `${key}: latency p99 ≤ 1.1×`, passed: flow.goals.latency_p99, detail: show(flow.latency_p99_ratio) });
    goals.push({
      name: `${key}: history events equal (and the same commands)`,
      passed: flow.goals.history_events && flow.commands_match,
      detail: `${flow.history_events.hand_written} vs ${flow.history_events.interpreter}${flow.commands_match ? '' : ', commands differ'}`,
    });
  }
  const memory = results.worker_memory?.interpreter;
  goals.push({
    name: 'worker RSS < 1 GB with 5,000 executions waiting',
    passed: memory ? memory.goal_under_1_gb : null,
    detail: memory ? `${memory.rss_mb} MB with ${memory.waiting_executions} waiting` : 'not measured (quick mode)',
  });
  goals.push({ name: 'REST-trigger starts: API/raw ≥ 0.9', passed: results.starts_and_webhooks.starts.goal, detail: show(results.starts_and_webhooks.starts.ratio) });
  goals.push({ name: 'signed webhooks: gateway/raw signal ≥ 0.9', passed: results.starts_and_webhooks.webhooks.goal, detail: show(results.starts_and_webhooks.webhooks.ratio) });
  for (const widget of results.events_per_widget.filter((entry) => entry.pure)) {
    goals.push({ name: `pure widget adds no history event: ${widget.widget}`, passed: widget.goal_zero_events, detail: `${widget.events_per_widget} per widget` });
  }
  for (const flow of results.validation.flows) {
    goals.push({ name: `validateDefinition < 50 ms: ${flow.flow}`, passed: flow.goal_validate_under_50_ms, detail: `${flow.validate_p50_ms} ms (p50)` });
  }
  return goals;
}

export function renderMarkdown(results: BenchResults): string {
  const out: string[] = [];
  const flows = Object.entries(results.flows);
  out.push(`# Benchmark results (${results.mode} run)`);
  out.push('');
  out.push(
    `${results.date} · ${results.machine.cpus} CPUs (${results.machine.cpu_model}) · Node ${results.machine.node_version} · ` +
      `load average ${results.machine.load_average_at_start.join(' ')} at start, ${results.machine.load_average_at_end.join(' ')} at the end · ${results.duration_s} s`,
  );
  out.push('');
  out.push(`> ${results.machine.note}`);
  out.push('');

  out.push('## Interpreter (b) against a hand-written workflow (a), same worker, interleaved');
  out.push('');
  out.push(
    table(
      ['flow', 'throughput (a) /s', 'throughput (b) /s', '(b)/(a)', 'goal ≥ 0.9', 'latency', 'p50 (a)', 'p50 (b)', '(b)/(a)', 'p99 (a)', 'p99 (b)', '(b)/(a)', 'goal ≤ 1.1 (p50, p99)'],
      flows.map(([key, flow]) => [
        key,
        show(flow.hand_written.throughput_per_s),
        show(flow.interpreter.throughput_per_s),
        show(flow.throughput_ratio),
        mark(flow.goals.throughput),
        flow.interpreter.latency_kind === 'reply' ? 'reply' : 'start → last message',
        show(flow.hand_written.latency_p50_ms, ' ms'),
        show(flow.interpreter.latency_p50_ms, ' ms'),
        show(flow.latency_p50_ratio),
        show(flow.hand_written.latency_p99_ms, ' ms'),
        show(flow.interpreter.latency_p99_ms, ' ms'),
        show(flow.latency_p99_ratio),
        `${mark(flow.goals.latency_p50)}, ${mark(flow.goals.latency_p99)}`,
      ]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['flow', 'CPU per execution (a): process + server', '(b)', '(b)/(a)', 'history events (a)', 'history events (b)', 'equal', 'same commands', 'same messages at the device', 'saturated reply latency p50/p99 (a)', '(b)'],
      flows.map(([key, flow]) => [
        key,
        cpuCell(flow.hand_written.cpu_ms_per_execution),
        cpuCell(flow.interpreter.cpu_ms_per_execution),
        show(flow.cpu_ratio),
        flow.history_events.hand_written,
        flow.history_events.interpreter,
        mark(flow.goals.history_events),
        flow.commands_match ? 'yes' : `no: #${flow.first_command_difference?.index} ${flow.first_command_difference?.a} ≠ ${flow.first_command_difference?.b}`,
        flow.same_device_messages ? 'yes' : 'no',
        flow.hand_written.saturated_reply_latency_p50_ms === null ? '–' : `${flow.hand_written.saturated_reply_latency_p50_ms} / ${flow.hand_written.saturated_reply_latency_p99_ms} ms`,
        flow.interpreter.saturated_reply_latency_p50_ms === null ? '–' : `${flow.interpreter.saturated_reply_latency_p50_ms} / ${flow.interpreter.saturated_reply_latency_p99_ms} ms`,
      ]),
    ),
  );
  out.push('');
  const memory = results.worker_memory;
  if (memory) {
    out.push(`Worker memory with surveys waiting at their first question (goal: < 1 GB with 5,000 waiting, interpreter: ${mark(memory.interpreter.goal_under_1_gb)})`);
    out.push('');
    const checkpoints = Object.keys(memory.interpreter.rss_mb_at);
    out.push(
      table(
        ['worker', 'RSS at start', ...checkpoints.map((count) => `RSS, ${count} waiting`), 'RSS, all waiting', 'waiting', 'peak', '(RSS − start) / waiting', 'ramp'],
        [memory.hand_written, memory.interpreter].map((entry) => [
          entry.variant === 'interpreter' ? '(b) interpreter: worker/main.ts' : '(a) hand-written',
          `${entry.baseline_rss_mb} MB`,
          ...checkpoints.map((count) => (entry.rss_mb_at[count] === undefined ? '–' : `${entry.rss_mb_at[count]} MB`)),
          `**${entry.rss_mb} MB**`,
          entry.waiting_executions,
          `${entry.peak_rss_mb} MB`,
          `${entry.rss_per_waiting_execution_kb} KB`,
          `${entry.seconds_to_start_all} s`,
        ]),
      ),
    );
  } else {
    out.push('Worker memory with 5,000 executions waiting for a reply: not measured in quick mode (`worker_rss_mb_5000_waiting` is null).');
  }
  out.push('');

  out.push('Workflow code CPU per execution, replaying each variant\'s history (no server, no activities): what the interpreter itself costs in the worker.');
  out.push('');
  out.push(
    table(
      ['flow', 'CPU per execution (a)', 'CPU per execution (b)', '(b)/(a)', 'history bytes (a)', 'history bytes (b)', 'replays each'],
      Object.entries(results.workflow_cpu_replay).map(([key, cost]) => [
        key,
        `${cost!.cpu_ms_per_execution.hand_written} ms`,
        `${cost!.cpu_ms_per_execution.interpreter} ms`,
        show(cost!.ratio),
        cost!.history_bytes.hand_written,
        cost!.history_bytes.interpreter,
        cost!.replays_each,
      ]),
    ),
  );
  out.push('');

  const latency = results.reply_latency;
  out.push('## Webhook-to-reply latency');
  out.push('');
  out.push(`From the device's reply (POST /Emulator/Inbound) to the next message at the device, ${latency.replies_each} replies each, answered once the workflow waits.`);
  out.push('');
  out.push(
    table(
      ['', 'p50', 'p99'],
      [
        ['hand-written (signal → activity)', show(latency.hand_written.p50_ms, ' ms'), show(latency.hand_written.p99_ms, ' ms')],
        ['interpreter', show(latency.interpreter.p50_ms, ' ms'), show(latency.interpreter.p99_ms, ' ms')],
        ['ratio', show(latency.p50_ratio), show(latency.p99_ratio)],
      ],
    ),
  );
  out.push('');

  const api = results.starts_and_webhooks;
  const side = (entry: RateSide) => [
    show(entry.per_s),
    show(entry.p50_ms, ' ms'),
    show(entry.p99_ms, ' ms'),
    `${entry.process_cpu_ms_per_call} + ${show(entry.server_cpu_ms_per_call)} ms`,
    entry.calls,
  ];
  out.push(`## API and gateway against raw client calls (concurrency ${api.concurrency})`);
  out.push('');
  out.push(
    table(
      ['what', 'per second', 'p50', 'p99', 'CPU per call: this process + Temporal server', 'calls'],
      [
        ['POST /v2/Flows/{sid}/Executions (ours)', ...side(api.starts.ours)],
        ['client.workflow.start, empty workflow (raw)', ...side(api.starts.raw)],
        ['client.workflow.start with the API\'s options (diagnostic)', ...side(api.starts.raw_with_api_options)],
        ['bare HTTP server: form in, that start out (HTTP floor)', ...side(api.starts.http_floor)],
        ['signed onMessageAdded through the gateway (ours)', ...side(api.webhooks.ours)],
        ['handle.signal (raw)', ...side(api.webhooks.raw)],
        ['bare HTTP server: form in, that signal out (HTTP floor)', ...side(api.webhooks.http_floor)],
      ],
    ),
  );
  out.push('');
  out.push(
    `Starts: ours/raw **${show(api.starts.ratio)}** (goal ≥ 0.9: ${mark(api.starts.goal)}; ours/raw with the API's options ${show(api.starts.ratio_to_raw_with_api_options)}; ` +
      `HTTP floor/raw ${show(api.starts.http_floor_ratio)}, ours/HTTP floor ${show(api.starts.ratio_to_http_floor)}). ` +
      `Webhooks: ours/raw **${show(api.webhooks.ratio)}** (goal ≥ 0.9: ${mark(api.webhooks.goal)}; HTTP floor/raw ${show(api.webhooks.http_floor_ratio)}, ours/HTTP floor ${show(api.webhooks.ratio_to_http_floor)}). ` +
      'The HTTP floor is a bare node:http server in this process whose handler only reads the form and makes the raw call: what the HTTP hop alone costs when the client, the server and Temporal share these CPUs.',
  );
  out.push('');

  out.push('## History events per widget type (interpreter)');
  out.push('');
  out.push(
    table(
      ['widget', 'events per widget', 'added per widget, by type', 'pure: adds none'],
      results.events_per_widget.map((entry) => [
        entry.widget,
        entry.events_per_widget,
        Object.entries(entry.added_by_type)
          .map(([type, count]) => `${type} ${count > 0 ? '+' : ''}${count}`)
          .join(', ') || '–',
        entry.pure ? mark(entry.goal_zero_events) : '',
      ]),
    ),
  );
  out.push('');

  out.push('## Validation and create');
  out.push('');
  out.push(
    table(
      ['flow', 'widgets', 'bytes', 'validateDefinition p50 / mean / max', 'goal < 50 ms', 'POST /v2/Flows p50 / max'],
      results.validation.flows.map((entry) => [
        entry.flow,
        entry.widgets,
        entry.bytes,
        `${entry.validate_p50_ms} / ${entry.validate_mean_ms} / ${entry.validate_max_ms} ms (${entry.validate_runs} runs)`,
        mark(entry.goal_validate_under_50_ms),
        entry.create_p50_ms === null ? (entry.valid ? '–' : 'invalid: not created') : `${entry.create_p50_ms} / ${entry.create_max_ms} ms (${entry.create_runs} runs)`,
      ]),
    ),
  );
  for (const reason of results.validation.skipped) out.push(`\nSkipped: ${reason}`);
  out.push('');

  out.push('## Goals');
  out.push('');
  out.push(table(['goal', 'verdict', 'measured'], results.goals.map((goal) => [goal.name, mark(goal.passed), goal.detail])));
  out.push('');
  out.push('## How');
  out.push('');
  for (const line of results.method) out.push(`- ${line}`);
  out.push('');
  return out.join('\n');
}
