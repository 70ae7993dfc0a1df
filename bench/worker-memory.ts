// Worker memory with many executions waiting for a reply (full mode only), measured on a worker in a
// process of its own: for the interpreter, the production worker (worker/main.ts spawned with
// `node --import tsx`, bundling the workflows at start-up as in production); for reference, the
// hand-written survey on the same wiring (bench/hand-written-worker.ts). Its resident set is read
// from /proc/<pid>/status (VmRSS; VmHWM for the peak): at start, at checkpoints while surveys pile up,
// and once every execution waits at the survey's first question.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../scripts/dev-server';
import { waitForTimers } from './device-driver';
import { pool, round } from './stats';
import type { BenchStack } from './stack';
import { nextContact, startVariant, type BenchFlow, type VariantName } from './variants';

const REPO_ROOT = path.resolve(__dirname, '..');
const GOAL_MB = 1024;

export interface WorkerMemory {
  variant: VariantName;
  method: string;
  waiting_executions: number;
  baseline_rss_mb: number;
  rss_mb: number;
  peak_rss_mb: number;
  /** RSS when this many executions were waiting (on the way up). */
  rss_mb_at: Record<string, number>;
  rss_per_waiting_execution_kb: number;
  seconds_to_start_all: number;
  goal_under_1_gb: boolean;
}

function readStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]) / 1024;
}

async function spawnWorker(stack: BenchStack, variant: VariantName, taskQueue: string, scratchDir: string): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.devServer.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TWILIO_ACCOUNT_SID: stack.config.accountSid,
    TWILIO_AUTH_TOKEN: stack.config.authToken,
    TWILIO_API_BASE_URL: stack.emulatorUrl,
    PUBLIC_URL: stack.apiUrl,
    DATA_DIR: stack.config.dataDir,
    LOG_LEVEL: 'info',
    // Ports of its own: another stack on this machine may hold the defaults.
    WORKER_METRICS_PORT: String(await freePort()),
    WORKER_SDK_METRICS_PORT: String(await freePort()),
  };
  let entry = path.join(REPO_ROOT, 'worker/main.ts');
  if (variant === 'hand_written') {
    const bundleFile = path.join(scratchDir, 'hand-written-bundle.js');
    fs.writeFileSync(bundleFile, stack.workflowBundles.hand_written);
    env.BENCH_WORKFLOW_BUNDLE = bundleFile;
    entry = path.join(__dirname, 'hand-written-worker.ts');
  }
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the worker did not start polling within 180 s:\n${output.slice(-3000)}`)), 180_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
      if (output.includes('worker polling')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${code}) before polling:\n${output.slice(-3000)}`));
    });
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killTimer);
}

export async function measureWorkerMemory(
  stack: BenchStack,
  survey: BenchFlow,
  variant: VariantName,
  waiting: number,
  checkpoints: number[],
  log: (line: string) => void,
): Promise<WorkerMemory> {
  const taskQueue = `bench-memory-${variant}-${Math.random().toString(16).slice(2, 8)}`;
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-bench-worker-'));
  const child = await spawnWorker(stack, variant, taskQueue, scratchDir).catch((error: unknown) => {
    fs.rmSync(scratchDir, { recursive: true, force: true });
    throw error;
  });
  try {
    const pid = child.pid!;
    const baseline = readStatusMb(pid, 'VmRSS');
    log(`  ${variant} worker process ${pid} polling, RSS ${baseline.toFixed(0)} MB; starting ${waiting} surveys`);
    const startedAt = performance.now();
    const contacts: string[] = [];
    const handles = await pool(waiting, 50, async () => {
      const contact = nextContact();
      contacts.push(contact);
      return startVariant(stack, survey, variant, contact, taskQueue);
    });
    const at: Record<string, number> = {};
    const pending = checkpoints.filter((count) => count < waiting).sort((a, b) => a - b);
    let lastReport = 0;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode})`);
      const asked = contacts.reduce((count, contact) => count + (stack.inboxes.received(contact).length >= 1 ? 1 : 0), 0);
      while (pending.length > 0 && asked >= pending[0]) at[String(pending.shift())] = round(readStatusMb(pid, 'VmRSS'), 1);
      if (asked === waiting) break;
      if (performance.now() - lastReport > 15_000) {
        log(`  ${variant}: ${asked}/${waiting} asked their first question, worker RSS ${readStatusMb(pid, 'VmRSS').toFixed(0)} MB`);
        lastReport = performance.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // The question reaches the device before its activity completes: wait until the last ones wait on their timer.
    await Promise.all(handles.slice(-20).map((handle) => waitForTimers(stack.temporal, handle.workflowId, 1)));
    await stack.emulator.settled();
    const secondsToStart = (performance.now() - startedAt) / 1000;
    const rss = readStatusMb(pid, 'VmRSS');
    const peak = readStatusMb(pid, 'VmHWM');
    for (const contact of contacts) stack.inboxes.forget(contact);
    log(`  ${variant}: ${waiting} waiting, worker RSS ${rss.toFixed(0)} MB (peak ${peak.toFixed(0)} MB)`);
    return {
      variant,
      method:
        variant === 'interpreter'
          ? 'worker/main.ts in its own process (node --import tsx, bundling at start-up as in production), VmRSS from /proc/<pid>/status'
          : 'bench/hand-written-worker.ts (the same createStudioWorker wiring, the hand-written bundle) in its own process, VmRSS from /proc/<pid>/status',
      waiting_executions: waiting,
      baseline_rss_mb: round(baseline, 1),
      rss_mb: round(rss, 1),
      peak_rss_mb: round(peak, 1),
      rss_mb_at: at,
      rss_per_waiting_execution_kb: round(((rss - baseline) * 1024) / waiting, 1),
      seconds_to_start_all: round(secondsToStart, 1),
      goal_under_1_gb: rss < GOAL_MB,
    };
  } finally {
    await stopWorker(child);
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
}
