// `npm start`: the whole stack in the foreground — the Temporal dev server (SQLite file under
// DATA_DIR, Web UI), the worker, the API and the emulator — each a child process. Prints the URLs,
// waits until /health says ready, and stops every child on Ctrl-C or SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../common/config';
import { ensureSearchAttributes, startDevServer, type DevServer } from './dev-server';
import { findTemporalCli } from './temporal-cli';

const ROOT = path.resolve(__dirname, '..');
const log = (line: string) => process.stdout.write(`[start] ${line}\n`);

interface Child {
  name: string;
  process: ChildProcess;
}

function startChild(name: string, entry: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => `[${name}] ${line}\n`)
      .join('');
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  return { name, process: child };
}

async function waitForHealth(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

async function main(): Promise<void> {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  let devServer: DevServer | null = null;
  let temporalAddress = config.temporalAddress;
  if (!temporalAddress) {
    const cli = await findTemporalCli({ log });
    log(`Temporal CLI: ${cli.path} (${cli.source}, ${cli.version})`);
    devServer = await startDevServer({
      cliPath: cli.path,
      port: config.temporalDevServerPort,
      uiPort: config.temporalUiPort,
      dbFile: path.join(config.dataDir, 'temporal.db'),
      namespace: config.temporalNamespace,
      logFile: path.join(config.dataDir, 'temporal.log'),
      log,
    });
    temporalAddress = devServer.address;
  } else {
    const connection = await Connection.connect({ address: temporalAddress });
    await ensureSearchAttributes(connection, config.temporalNamespace, undefined, log);
    await connection.close();
  }

  const env = { ...process.env, TEMPORAL_ADDRESS: temporalAddress, DATA_DIR: config.dataDir };
  const children: Child[] = [
    startChild('emulator', 'emulator/main.ts', env),
    startChild('worker', 'worker/main.ts', env),
    startChild('api', 'api/main.ts', env),
  ];

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
            child.process.once('exit', () => resolve());
            child.process.kill('SIGTERM');
            setTimeout(() => child.process.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    await devServer?.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const child of children) {
    child.process.on('exit', (code, signal) => {
      if (stopping) return;
      log(`${child.name} exited (${signal ?? code}); stopping the stack`);
      void stop(1);
    });
  }

  const apiUrl = `http://127.0.0.1:${config.port}`;
  if (!(await waitForHealth(`${apiUrl}/health`, 120_000))) {
    log('the stack did not become healthy within 2 minutes');
    return stop(1);
  }
  log('ready');
  log(`  Studio API + webhook gateway  ${apiUrl}   (GET /health, /v2/Flows)`);
  log(`  flow webhook URL              ${config.publicUrl}/v1/Accounts/${config.accountSid}/Flows/{FlowSid}`);
  log(`  emulator (device API)         http://127.0.0.1:${config.emulatorPort}`);
  log(`  Temporal frontend             ${temporalAddress}`);
  if (devServer?.uiUrl) log(`  Temporal Web UI               ${devServer.uiUrl}`);
  log(`  account                       ${config.accountSid} (auth token from TWILIO_AUTH_TOKEN)`);
  log(`  data                          ${config.dataDir}`);
  log('Ctrl-C stops everything.');
}

main().catch((error) => {
  console.error('[start] failed:', error);
  process.exit(1);
});
