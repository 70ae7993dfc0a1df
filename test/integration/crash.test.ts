// Crashes under load (issue 7): 100 survey executions run at once while the worker is SIGKILLed three
// times, the API is SIGKILLed once and the Temporal dev server is restarted once. Every execution must
// still end, and every phone must have received exactly its transcript: no message lost, none twice
// (DESIGN.md decision 10).
//
// The test owns its processes: a file-backed Temporal dev server (not the global one: it is restarted
// here), the worker and the API as child processes (`node --import tsx …`, as `npm start` runs them), and
// the emulator in this process, whose simulated phones answer each question as it arrives.
//
// Phones answer only while the API and Temporal are up. A reply's webhook that reaches neither (Twilio
// retries it once) is lost in a real deployment too, and that execution would then wait for its reply
// timeout; to keep the outcome deterministic the phones pause before the API or Temporal goes down, and
// their replies already sent are let through (each is a signal in its execution's history) first. The
// workflows are not paused: they keep sending questions into the outage. The worker kills happen while
// the phones keep answering, so replies pile up as signals and activities are cut off mid-flight.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { createEmulator, type Emulator } from '../../emulator/app';
import { freePort, startDevServer, type DevServer, type DevServerOptions } from '../../scripts/dev-server';
import { readTestEnvironment, REPO_ROOT } from '../support/paths';
import { studioClient, waitFor } from '../support/stack';

const FLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/crash-survey.json'), 'utf8'));
const EXECUTIONS = 100;
const REPLIES_PER_EXECUTION = 3;
const PROXY = '+15005550070';
const TASK_QUEUE = 'crash-test';
/** How often the phones look at what they received. */
const PHONE_POLL_MS = 200;

interface Survey {
  contact: string;
  name: string;
  answers: [string, string, string];
  /** What the phone must receive, in order. */
  transcript: string[];
}

/** The i-th contact's answers and the exact messages the flow must send it (the split takes the third answer). */
function survey(index: number): Survey {
  const contact = `+1555300${String(index).padStart(4, '0')}`;
  const name = `Guest ${index}`;
  const rating = String(1 + (index % 10));
  const visit = `errand ${index}`;
  const callBack = ['Yes', ' no ', 'maybe later'][index % 3];
  const summary = `(rating ${rating}, ${visit})`;
  const final =
    index % 3 === 0 ? `We will call you, ${name} ${summary}.` : index % 3 === 1 ? `No call then, ${name} ${summary}.` : `We did not understand "${callBack}", ${name}; we will not call.`;
  return {
    contact,
    name,
    answers: [rating, visit, callBack],
    transcript: [
      `Hi ${name}, how would you rate us from 1 to 10?`,
      `Thanks, ${rating} it is. What did you come for?`,
      `May we call you back about "${visit}"? (yes/no)`,
      final,
    ],
  };
}

interface OutboundMessage {
  to: string;
  body: string;
}

/** The simulated phones: each answers its next question once it has arrived, within a budget of replies. */
class Phones {
  /** Replies the phones may send in total; the test raises it step by step. */
  allowance = 0;
  sent = 0;
  private readonly repliesBy = new Map<string, number>();
  /** The MessageSid of each phone's latest reply. */
  private readonly lastReply = new Map<string, string>();
  private readonly inFlight = new Set<Promise<void>>();
  private inbox = new Map<string, string[]>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** First failure of a reply (the emulator refusing it): reported by the test, not swallowed. */
  failure: Error | undefined;

  constructor(
    private readonly emulatorUrl: string,
    private readonly surveys: Survey[],
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.sweep();
        await new Promise((resolve) => setTimeout(resolve, PHONE_POLL_MS));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await Promise.all(this.inFlight);
  }

  /** Stops replying and waits for the replies already on their way to the emulator. */
  async pause(): Promise<void> {
    this.allowance = this.sent;
    await Promise.all(this.inFlight);
  }

  /** The latest reply of each phone that has no answer yet (the flow may not even have it yet). */
  unanswered(): Array<{ contact: string; messageSid: string }> {
    return this.surveys.flatMap(({ contact }) => {
      const messageSid = this.lastReply.get(contact);
      return messageSid && this.received(contact).length === this.repliesBy.get(contact) ? [{ contact, messageSid }] : [];
    });
  }

  received(contact: string): string[] {
    return this.inbox.get(contact) ?? [];
  }

  async refresh(): Promise<void> {
    const response = await fetch(`${this.emulatorUrl}/Emulator/Outbound`);
    const { messages } = (await response.json()) as { messages: OutboundMessage[] };
    const inbox = new Map<string, string[]>();
    for (const message of messages) inbox.set(message.to, [...(inbox.get(message.to) ?? []), message.body]);
    this.inbox = inbox;
  }

  private async sweep(): Promise<void> {
    await this.refresh();
    for (const survey of this.surveys) {
      const replies = this.repliesBy.get(survey.contact) ?? 0;
      if (replies >= REPLIES_PER_EXECUTION || this.received(survey.contact).length <= replies || this.sent >= this.allowance) continue;
      this.repliesBy.set(survey.contact, replies + 1);
      this.sent += 1;
      const reply = this.reply(survey.contact, survey.answers[replies]).finally(() => this.inFlight.delete(reply));
      this.inFlight.add(reply);
    }
  }

  private async reply(from: string, body: string): Promise<void> {
    const response = await fetch(`${this.emulatorUrl}/Emulator/Inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ From: from, To: PROXY, Body: body }),
    });
    if (response.status !== 201) this.failure ??= new Error(`Emulator/Inbound answered ${response.status} for ${from}: ${await response.text()}`);
    else this.lastReply.set(from, ((await response.json()) as { message_sid: string }).message_sid);
  }
}

/** A `node --import tsx <script>` child whose output goes to a log file; resolves once `readyText` appears. */
async function startNodeProcess(name: string, script: string, env: NodeJS.ProcessEnv, readyText: string, logDir: string): Promise<ChildProcess> {
  const log = fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, script)], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not print "${readyText}" within 120 s:\n${tail}`)), 120_000);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
      if (tail.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      log.end();
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${tail}`));
    });
  });
  return child;
}

async function kill(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Phase durations, printed at the end (and on failure): measurements, never assertions. */
class Timings {
  private readonly started = Date.now();
  readonly phases: Array<[string, number]> = [];

  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
      return await work();
    } finally {
      this.phases.push([name, Date.now() - start]);
    }
  }

  report(extra: string[] = []): string {
    const lines = this.phases.map(([name, ms]) => `  ${name.padEnd(66)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
    return ['crash test timings:', ...lines, `  ${'total'.padEnd(66)} ${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)} s`, ...extra].join('\n');
  }
}

describe('100 survey executions through worker, API and Temporal crashes', () => {
  const timings = new Timings();
  const surveys = Array.from({ length: EXECUTIONS }, (_, index) => survey(index));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-crash-test-'));
  let serverOptions: DevServerOptions;
  let server: DevServer | undefined;
  let emulator: Emulator | undefined;
  let emulatorServer: http.Server | undefined;
  let api: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let connection: Connection | undefined;
  let phones: Phones | undefined;
  let summary: string[] = [];
  let passed = false;

  afterAll(async () => {
    console.log(timings.report(summary));
    await phones?.stop();
    await kill(worker, 'SIGKILL');
    await kill(api, 'SIGKILL');
    await connection?.close().catch(() => undefined);
    await server?.stop();
    await emulator?.close();
    if (emulatorServer) await new Promise((resolve) => emulatorServer!.close(resolve));
    // The logs of the children stay when the test fails: they are what explains it.
    if (passed) fs.rmSync(workDir, { recursive: true, force: true });
    else console.log(`crash test: the logs of the Temporal server, the API and the workers are in ${workDir}`);
  });

  it('ends every execution with exactly its transcript', async () => {
    const environment = readTestEnvironment();
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    emulatorServer = http.createServer();
    const emulatorUrl = `http://127.0.0.1:${await listen(emulatorServer)}`;
    serverOptions = { cliPath: environment.cliPath, port: await freePort(), dbFile: path.join(workDir, 'temporal.db'), logFile: path.join(workDir, 'temporal.log') };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(apiPort),
      TEMPORAL_ADDRESS: `127.0.0.1:${serverOptions.port}`,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      TWILIO_ACCOUNT_SID: DEFAULT_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: DEFAULT_AUTH_TOKEN,
      TWILIO_API_BASE_URL: emulatorUrl,
      PUBLIC_URL: apiUrl,
      DATA_DIR: path.join(workDir, 'data'),
      DATABASE_URL: '',
      LOG_LEVEL: 'info',
      // Worker restarts follow each other at once: no fixed metrics ports to collide on.
      WORKER_METRICS_PORT: '0',
      WORKER_SDK_METRICS_PORT: '0',
    };
    const startWorker = () => startNodeProcess('worker', 'worker/main.ts', env, 'worker polling', workDir);
    const startApi = () => startNodeProcess('api', 'api/main.ts', env, 'api listening', workDir);
    const health = async () => (await fetch(`${apiUrl}/health`)).status === 200;

    await timings.measure('start the Temporal dev server (file-backed)', async () => {
      server = await startDevServer(serverOptions);
    });
    emulator = createEmulator({ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN, publicUrl: apiUrl });
    emulatorServer.on('request', emulator.app);
    await timings.measure('start the API and the worker processes', async () => {
      [api, worker] = await Promise.all([startApi(), startWorker()]);
      await waitFor(health, 'the API to report a polling worker', 30_000);
    });
    connection = await Connection.connect({ address: server!.address });
    const temporal = new Client({ connection });
    const client = studioClient(apiUrl, emulatorUrl);
    const flow = await client.studio.v2.flows.create({ friendlyName: 'Crash survey', status: 'published', definition: FLOW });

    phones = new Phones(emulatorUrl, surveys);
    phones.start();
    const runStarted = Date.now();
    const created = await timings.measure(`create ${EXECUTIONS} executions at once (REST)`, () =>
      Promise.all(surveys.map((s) => client.studio.v2.flows(flow.sid).executions.create({ to: s.contact, from: PROXY, parameters: { name: s.name } }))),
    );
    expect(new Set(created.map((execution) => execution.sid)).size).toBe(EXECUTIONS);

    const workerPids: number[] = [worker!.pid!];
    const repliesReached = (count: number) =>
      timings.measure(`the phones answer until ${count} replies`, () => waitFor(async () => phones!.sent >= count || undefined, `${count} replies from the phones`, 120_000));
    /** The phones keep answering through a worker crash: replies queue up as signals meanwhile. */
    const killWorker = async (atReplies: number, nextPause: number) => {
      phones!.allowance = nextPause;
      await repliesReached(atReplies);
      await timings.measure(`SIGKILL the worker at ${atReplies} replies; new worker polling`, async () => {
        await kill(worker, 'SIGKILL');
        worker = await startWorker();
        workerPids.push(worker.pid!);
      });
    };
    const executionOf = new Map(created.map((execution) => [execution.contactChannelAddress, execution.sid]));
    const signalled = new Set<string>();
    /** True once the gateway has signalled the reply to its execution (it is in the history; no worker needed). */
    const isSignalled = async (contact: string, messageSid: string) => {
      if (signalled.has(messageSid)) return true;
      const { events } = await temporal.workflow.getHandle(executionOf.get(contact)!).fetchHistory();
      const found = (events ?? []).some((event) =>
        (event.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []).some((payload) => Buffer.from(payload.data ?? []).toString().includes(messageSid)),
      );
      if (found) signalled.add(messageSid);
      return found;
    };
    /** The phones stop, and the replies they sent reach their executions, before the API or Temporal goes down. */
    const quiesce = async (atReplies: number) => {
      phones!.allowance = atReplies;
      await repliesReached(atReplies);
      await timings.measure(`the phones pause at ${atReplies} replies; their replies are signalled`, async () => {
        await phones!.pause();
        await waitFor(
          async () => {
            await phones!.refresh();
            const delivered = await Promise.all(phones!.unanswered().map(({ contact, messageSid }) => isSignalled(contact, messageSid)));
            return delivered.every(Boolean);
          },
          'the gateway to signal every reply sent',
          60_000,
        );
      });
    };

    await killWorker(40, 100);

    await quiesce(100);
    await timings.measure('SIGKILL the API at 100 replies; new API healthy', async () => {
      const killedPid = api!.pid;
      await kill(api, 'SIGKILL');
      api = await startApi();
      expect(api.pid).not.toBe(killedPid);
      await waitFor(health, 'the restarted API to be healthy', 60_000);
    });

    await killWorker(150, 200);

    await quiesce(200);
    const apiPid = api!.pid;
    const workerPid = worker!.pid;
    await timings.measure('restart Temporal (SIGTERM, start on the same file) at 200 replies', async () => {
      await server!.stop();
      server = await startDevServer(serverOptions);
    });
    await timings.measure('API and worker reconnected to the restarted Temporal', async () => {
      // The same processes, not replacements: the API's client and the worker's native connection recover by themselves.
      await waitFor(health, 'the API to reach Temporal and see a poller again', 60_000);
      const pollers = await waitFor(async () => {
        const description = await temporal.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: TASK_QUEUE }, taskQueueType: 1 });
        return description.pollers?.length ? description.pollers : undefined;
      }, 'the worker to poll the restarted server', 60_000);
      expect(pollers.map((poller) => poller.identity)).toContain(`${workerPid}@${os.hostname()}`);
      expect([api!.pid, worker!.pid, api!.exitCode, worker!.exitCode]).toEqual([apiPid, workerPid, null, null]);
    });

    await killWorker(250, Number.POSITIVE_INFINITY);

    await timings.measure('the rest: every phone has its final message', async () => {
      let lastLook = Date.now();
      await waitFor(
        async () => {
          await phones!.refresh();
          if (surveys.every((s) => phones!.received(s.contact).length >= s.transcript.length)) return true;
          // An execution that ended without its final message would keep this wait going for nothing.
          if (Date.now() - lastLook < 5000) return false;
          lastLook = Date.now();
          return (await temporal.workflow.count(`ExecutionStatus = 'Running'`)).count === 0;
        },
        'every phone to receive its final message',
        240_000,
      );
    });
    const runSeconds = (Date.now() - runStarted) / 1000;

    const statuses = new Map<string, string>();
    await timings.measure('every workflow closed', async () => {
      await waitFor(
        async () => {
          for (const { sid } of created) {
            if (statuses.get(sid) !== 'COMPLETED') statuses.set(sid, (await temporal.workflow.getHandle(sid).describe()).status.name);
          }
          return [...statuses.values()].every((status) => status !== 'RUNNING');
        },
        'every execution to close',
        60_000,
      ).catch(() => undefined); // asserted below, beside the transcripts that say why
    });

    // Exactly the transcript, per phone: a lost message or a duplicate shows up here by name.
    await phones.refresh();
    const transcripts = Object.fromEntries(surveys.map((s) => [s.contact, phones!.received(s.contact)]));
    const duplicates = surveys.flatMap((s) => phones!.received(s.contact).filter((body, i, all) => all.indexOf(body) !== i).map((body) => `${s.contact}: ${body}`));

    // How hard the crashes hit: activity attempts beyond the first, and workflow tasks lost with a worker.
    const retried = new Map<string, number>();
    let workflowTaskTimeouts = 0;
    for (const execution of created) {
      const events = (await temporal.workflow.getHandle(execution.sid).fetchHistory()).events ?? [];
      const scheduled = new Map(events.filter((event) => event.activityTaskScheduledEventAttributes).map((event) => [String(event.eventId), event.activityTaskScheduledEventAttributes!.activityType?.name ?? '?']));
      for (const event of events) {
        const started = event.activityTaskStartedEventAttributes;
        if (started && (started.attempt ?? 1) > 1) {
          const type = scheduled.get(String(started.scheduledEventId)) ?? '?';
          retried.set(type, (retried.get(type) ?? 0) + 1);
        }
        if (event.workflowTaskTimedOutEventAttributes) workflowTaskTimeouts += 1;
      }
    }
    summary = [
      `  run (first REST create to last final message): ${runSeconds.toFixed(1)} s, ${(EXECUTIONS / runSeconds).toFixed(2)} executions/s, ${phones.sent} replies`,
      `  worker processes: ${workerPids.join(', ')}`,
      `  activity attempts after the first: ${[...retried].map(([type, count]) => `${type} ${count}`).join(', ') || 'none'}`,
      `  workflow tasks timed out (on a killed worker's sticky queue, or in flight): ${workflowTaskTimeouts}`,
      `  duplicate messages on the phones: ${duplicates.length}${duplicates.length ? `\n    ${duplicates.slice(0, 20).join('\n    ')}` : ''}`,
    ];
    expect(phones.failure).toBeUndefined();
    expect(duplicates).toEqual([]);
    expect(transcripts).toEqual(Object.fromEntries(surveys.map((s) => [s.contact, s.transcript])));
    expect([...statuses].filter(([, status]) => status !== 'COMPLETED')).toEqual([]);

    // The API agrees: nothing active, every execution ended.
    const ended = await client.studio.v2.flows(flow.sid).executions.list({ status: 'ended', pageSize: 50 });
    const stillActive = await client.studio.v2.flows(flow.sid).executions.list({ status: 'active', pageSize: 50 });
    expect(stillActive.map((execution) => execution.sid)).toEqual([]);
    expect(ended.map((execution) => execution.sid).sort()).toEqual(created.map((execution) => execution.sid).sort());
    passed = true;
  }, 480_000);
});
