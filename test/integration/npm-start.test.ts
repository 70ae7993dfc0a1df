// `npm start` as a person runs it (issue 2.3): the whole stack comes up, /health says ready, the
// processes stop on SIGTERM, and after a restart the flow is still there and a waiting execution
// resumes when the reply comes.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../scripts/dev-server';
import { REPO_ROOT } from '../support/paths';
import { device, studioClient, waitFor } from '../support/stack';

const FLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8'));

interface RunningStack {
  process: ChildProcess;
  output: () => string;
}

async function portsFor() {
  return { api: await freePort(), emulator: await freePort(), ui: await freePort(), temporal: await freePort() };
}

describe('npm start', () => {
  let dataDir: string;
  let ports: Awaited<ReturnType<typeof portsFor>>;
  let running: RunningStack | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-npm-start-'));
    ports = await portsFor();
  });
  afterAll(async () => {
    running?.process.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const apiUrl = () => `http://127.0.0.1:${ports.api}`;
  const emulatorUrl = () => `http://127.0.0.1:${ports.emulator}`;

  async function start(): Promise<RunningStack> {
    let output = '';
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/bootstrap.js')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(ports.api),
        EMULATOR_PORT: String(ports.emulator),
        TEMPORAL_UI_PORT: String(ports.ui),
        TEMPORAL_DEV_SERVER_PORT: String(ports.temporal),
        TEMPORAL_ADDRESS: '',
        TWILIO_API_BASE_URL: emulatorUrl(),
        PUBLIC_URL: apiUrl(),
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(async () => output.includes('Ctrl-C stops everything'), `npm start to be ready (output so far:\n${output})`, 240_000);
    return { process: child, output: () => output };
  }

  async function stop(stack: RunningStack, signal: NodeJS.Signals): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => stack.process.once('exit', (code) => resolve(code)));
    stack.process.kill(signal);
    return exited;
  }

  async function isListening(url: string): Promise<boolean> {
    try {
      await fetch(url);
      return true;
    } catch {
      return false;
    }
  }

  it('runs the stack, stops every child on SIGTERM, and keeps flows and waiting executions across a restart', async () => {
    running = await start();
    const output = running.output();
    expect(output).toContain(`http://127.0.0.1:${ports.api}`);
    expect(output).toContain(`Temporal Web UI               http://127.0.0.1:${ports.ui}`);
    const health = await fetch(`${apiUrl()}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', workers: expect.any(Number) });
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);

    const client = studioClient(apiUrl(), emulatorUrl());
    const flow = await client.studio.v2.flows.create({ friendlyName: 'Survives restarts', status: 'published', definition: FLOW });
    const contact = '+15551117001';
    const proxy = '+15005550008';
    const execution = await client.studio.v2.flows(flow.sid).executions.create({ to: contact, from: proxy, parameters: { name: 'Ed' } });
    const phone = device(emulatorUrl());
    await waitFor(async () => (await phone.received(contact)).length === 1, 'the question');

    expect(await stop(running, 'SIGTERM')).toBe(0);
    running = undefined;
    expect(await isListening(`${apiUrl()}/health`)).toBe(false);
    expect(await isListening(`${emulatorUrl()}/Emulator/Outbound?To=x`)).toBe(false);
    expect(await isListening(`http://127.0.0.1:${ports.ui}/`)).toBe(false);

    running = await start();
    expect((await client.studio.v2.flows(flow.sid).fetch()).friendlyName).toBe('Survives restarts');
    expect((await client.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status).toBe('active');
    await phone.send(contact, proxy, 'Still here');
    await waitFor(async () => (await phone.received(contact)).some((message) => message.body === 'Thanks! You said: Still here'), 'the reply after the restart', 60_000);
    await waitFor(async () => (await client.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status === 'ended', 'the execution to end');

    expect(await stop(running, 'SIGINT')).toBe(0);
    running = undefined;
  }, 600_000);
});
