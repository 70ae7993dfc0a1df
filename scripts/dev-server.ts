// Runs the Temporal CLI's dev server (`temporal server start-dev`) as a child process: the embedded Temporal of
// `npm start` and of the integration tests. We start it ourselves instead of through the SDK's ephemeral server
// because the SDK gives up after 5 s, and a cold start on an existing SQLite file can take longer; and because
// the CLI registers search attributes only when it creates a namespace, so on an existing database file new
// attributes must be added through the operator API (ensureSearchAttributes), which also serves docker-compose's
// or any TEMPORAL_ADDRESS server.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { errorMessage, sleep, splitLines } from './process-output';

/** What defineSearchAttributeKey returns (its type is not exported by @temporalio/common). */
export interface AnySearchAttributeKey {
  readonly name: string;
  readonly type: SearchAttributeType;
}

export interface DevServerOptions {
  cliPath: string;
  port: number;
  /** Serve the Web UI on this port; undefined starts the server headless. */
  uiPort?: number;
  /** Address to bind (default 127.0.0.1: a dev server has no auth, so it must not listen on the network). */
  ip?: string;
  /** SQLite file that keeps flows' executions across restarts; undefined keeps everything in memory. */
  dbFile?: string;
  namespace?: string;
  log?: (line: string) => void;
  extraArgs?: string[];
  /** Append the server's own output here (it is otherwise kept only to explain a failure). */
  logFile?: string;
  /** The search attributes to register (default ALL_SEARCH_ATTRIBUTES). */
  searchAttributes?: readonly AnySearchAttributeKey[];
  /** How long to wait for the frontend to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the gRPC frontend, for TEMPORAL_ADDRESS / Connection.connect. */
  address: string;
  /** The Web UI's URL, or null when headless. */
  uiUrl: string | null;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** The CLI's spelling of each search attribute type (`--search-attribute Name=Type`, case-insensitive there). */
export const CLI_SEARCH_ATTRIBUTE_TYPE: Record<SearchAttributeType, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** temporal.api.enums.v1.IndexedValueType, the numbers the operator service speaks (not re-exported by the SDK). */
export const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  [SearchAttributeType.TEXT]: 1,
  [SearchAttributeType.KEYWORD]: 2,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.DOUBLE]: 4,
  [SearchAttributeType.BOOL]: 5,
  [SearchAttributeType.DATETIME]: 6,
  [SearchAttributeType.KEYWORD_LIST]: 7,
};

function typeOfIndexedValue(value: number): SearchAttributeType | undefined {
  return (Object.keys(INDEXED_VALUE_TYPE) as SearchAttributeType[]).find((type) => INDEXED_VALUE_TYPE[type] === value);
}

/** The command line, without the executable (exported so callers can show or test it). */
export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', options.ip ?? '127.0.0.1', '--port', String(options.port)];
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile !== undefined) args.push('--db-filename', options.dbFile);
  args.push('--namespace', options.namespace ?? 'default', '--log-format', 'json', '--log-level', 'warn');
  for (const key of options.searchAttributes ?? ALL_SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${key.name}=${CLI_SEARCH_ATTRIBUTE_TYPE[key.type]}`);
  }
  // The same dynamic config as the SDK's ephemeral server, so tests and `npm start` see one server behaviour
  // (updates and update-with-start need the two update flags).
  args.push(
    '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  );
  // One partition per task queue, as Temporal advises for a queue a few workers poll. With the default four,
  // a workflow task that lands in a partition no poller is waiting on sits there ~2 s: seen in the benchmark
  // on tasks retried after a signal raced a workflow's completion (UnhandledCommand), each stalling its
  // execution 2 s behind the signal that caused it.
  args.push(
    '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
  );
  args.push(...(options.extraArgs ?? []));
  return args;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const address = `${hostForUrl(ip)}:${options.port}`;
  const uiUrl = options.uiPort === undefined ? null : `http://${hostForUrl(ip)}:${options.uiPort}`;
  const timeoutMs = options.startTimeoutMs ?? 60_000;

  // The CLI's own message for a taken port is buried in its output; say plainly what is wrong and what to do.
  await assertPortFree(ip, options.port, 'Temporal frontend', 'Stop whatever uses it, or set TEMPORAL_ADDRESS to use a Temporal server that is already running.');
  if (options.uiPort !== undefined) await assertPortFree(ip, options.uiPort, 'Temporal Web UI', 'Stop whatever uses it, or choose another TEMPORAL_UI_PORT.');
  if (options.dbFile !== undefined) fs.mkdirSync(path.dirname(path.resolve(options.dbFile)), { recursive: true });

  const args = devServerArgs(options);
  log(`Starting the Temporal dev server: ${options.cliPath} ${args.map(shellQuote).join(' ')}`);
  const started = Date.now();
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });

  const tail: string[] = [];
  const logStream = options.logFile ? openLog(options.logFile) : undefined;
  let ready = false;
  let stopping = false;
  const onLine = (line: string) => {
    if (!line.trim()) return;
    tail.push(line);
    if (tail.length > 60) tail.shift();
    logStream?.write(`${line}\n`);
    // Once up, the server's own errors are worth a human's attention; its warnings go to the log file only.
    if (ready && !stopping && isErrorLine(line)) log(`temporal: ${summarizeLogLine(line)}`);
  };
  splitLines(child.stdout, onLine);
  splitLines(child.stderr, onLine);

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      // 'close' does not follow an 'error' when the executable could not be started at all.
      if (child.pid === undefined) {
        process.removeListener('exit', killOnExit);
        resolve();
      }
    });
    child.on('close', (code, signal) => {
      exitInfo = { code, signal };
      logStream?.end();
      process.removeListener('exit', killOnExit);
      if (ready && !stopping) {
        log(`The Temporal dev server exited unexpectedly (${describeExit(exitInfo)}). Last output:\n${indent(tail.slice(-20))}`);
      }
      resolve();
    });
  });
  // An orphaned dev server keeps the ports and the SQLite file locked, so take it down with us. SIGTERM, because
  // it shuts down cleanly on its own and this process cannot wait for it any more.
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);

  const stop = async (): Promise<void> => {
    stopping = true;
    if (exitInfo === undefined && spawnError === undefined) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => {
        log('The Temporal dev server did not stop within 10 s; killing it.');
        child.kill('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(killTimer);
    }
    await exited;
  };

  const failure = (what: string) =>
    new Error(
      `${what}\nCommand: ${options.cliPath} ${args.map(shellQuote).join(' ')}\n` +
        (tail.length ? `Last output of the server:\n${indent(tail.slice(-30))}` : 'The server printed nothing.'),
    );

  // Until the process has really started, a connection attempt could only describe a missing executable badly.
  // (Listeners are attached above, so the 'error' this may wait for is also seen by them.)
  await Promise.race([new Promise<void>((resolve) => child.once('spawn', () => resolve())), exited]);

  let connection: Connection | undefined;
  try {
    connection = await waitForFrontend(ip, options.port, address, namespace, timeoutMs, exited, () => {
      if (spawnError) throw failure(`Could not run the Temporal CLI at ${options.cliPath}: ${spawnError.message}`);
      if (exitInfo) throw failure(`The Temporal dev server exited during start-up (${describeExit(exitInfo)}).`);
    });
    if (!connection) {
      throw failure(`The Temporal dev server did not answer on ${address} within ${formatSeconds(timeoutMs)}.`);
    }
    await ensureSearchAttributes(connection, namespace, options.searchAttributes ?? ALL_SEARCH_ATTRIBUTES, log);
    await ensureRetention(connection, namespace, STUDIO_RETENTION_DAYS, log);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await connection?.close();
  }

  if (uiUrl !== null && !(await waitForHttp(uiUrl, 15_000))) {
    log(`Warning: the Temporal Web UI at ${uiUrl} does not answer yet.`);
  }
  ready = true;
  log(
    `Temporal dev server ready in ${formatSeconds(Date.now() - started)}: ${address}, namespace "${namespace}"` +
      (uiUrl ? `, Web UI ${uiUrl}` : ' (headless)') +
      (options.dbFile ? `, data in ${options.dbFile}` : ' (in memory)') +
      (options.logFile ? `, log ${options.logFile}` : ''),
  );
  return { address, uiUrl, process: child, stop };
}

/** Connects until the frontend answers and the namespace exists; undefined on timeout. */
async function waitForFrontend(
  host: string,
  port: number,
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: Promise<void>,
  checkAlive: () => void,
): Promise<Connection | undefined> {
  const deadline = Date.now() + timeoutMs;
  const EXITED = Symbol('exited');
  while (Date.now() < deadline) {
    checkAlive();
    // A plain TCP probe first: it costs nothing and leaves nothing behind, whereas a gRPC connect to a port
    // that is not listening yet lingers for its whole timeout.
    if (!(await tcpAccepts(host, port, 1000))) {
      await sleep(100);
      continue;
    }
    const attempt = (async () => {
      const connection = await Connection.connect({ address, connectTimeout: Math.min(2000, Math.max(100, deadline - Date.now())) });
      try {
        // The frontend can answer before the namespace is loaded into its cache.
        await connection.workflowService.describeNamespace({ namespace });
        return connection;
      } catch (err) {
        await connection.close().catch(() => undefined);
        throw err;
      }
    })();
    // Racing the process's exit reports a crash (or a missing executable) at once instead of after a timeout.
    const outcome = await Promise.race([attempt.then((c) => c, () => undefined), exited.then((): typeof EXITED => EXITED)]);
    if (outcome === EXITED) {
      void attempt.then((c) => c.close(), () => undefined);
      checkAlive();
    } else if (outcome) {
      return outcome;
    }
    await sleep(250);
  }
  checkAlive();
  return undefined;
}

/** Studio keeps an execution's data for 30 days after it starts (docs/studio-reference.md, limits table). */
export const STUDIO_RETENTION_DAYS = 30;

/**
 * Keeps closed workflows at least `days` days. The dev server creates its namespace with a 24-hour retention,
 * after which an ended execution's steps and context (read from its workflow) would be gone while Studio
 * still serves them. A longer retention set by an operator is left as it is.
 */
export async function ensureRetention(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
  days: number,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const wanted = days * 24 * 3600;
  const described = await connection.workflowService.describeNamespace({ namespace });
  const current = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
  if (current >= wanted) return;
  log(`Setting the retention of namespace "${namespace}" to ${days} days (was ${Math.round(current / 3600)} hours)`);
  await connection.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msToTs(wanted * 1000) } });
}

export interface EnsureSearchAttributesResult {
  /** Names that were missing and have been registered now. */
  added: string[];
}

/**
 * Registers every attribute the namespace lacks, on any Temporal server. An attribute that exists with another
 * type is an error: Temporal cannot change it, and workflows would fail to start with a less helpful message.
 * Returns once the new attributes can be used (the frontend caches namespaces for up to a few seconds).
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService' | 'workflowService'>,
  namespace: string,
  attributes: readonly AnySearchAttributeKey[] = ALL_SEARCH_ATTRIBUTES,
  log: (line: string) => void = () => undefined,
): Promise<EnsureSearchAttributesResult> {
  const existing = async () =>
    (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const checkTypes = (current: Record<string, unknown>) => {
    for (const key of attributes) {
      const have = current[key.name];
      if (have !== undefined && Number(have) !== INDEXED_VALUE_TYPE[key.type]) {
        throw new Error(
          `Search attribute ${key.name} exists in namespace "${namespace}" with type ${typeOfIndexedValue(Number(have)) ?? String(have)}, ` +
            `but Studio on Temporal needs ${key.type}. Remove it (temporal operator search-attribute remove --name ${key.name}) or use a fresh namespace.`,
        );
      }
    }
  };

  let current = await existing();
  checkTypes(current);
  const missing = attributes.filter((key) => current[key.name] === undefined);
  if (missing.length === 0) return { added: [] };

  log(`Registering search attributes in namespace "${namespace}": ${missing.map((k) => `${k.name} (${CLI_SEARCH_ATTRIBUTE_TYPE[k.type]})`).join(', ')}`);
  for (let attempt = 1; ; attempt++) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
      });
      break;
    } catch (err) {
      // Another process (a second `npm start`, the compose one-shot) may have added them first: that is success
      // if they now exist with the right types. The server also reports a race on its pre-allocated SQL columns.
      current = await existing();
      checkTypes(current);
      if (attributes.every((key) => current[key.name] !== undefined)) break;
      if (attempt >= 3 || !/already exists|race condition|concurrent/i.test(errorMessage(err))) {
        throw new Error(`Could not register search attributes in namespace "${namespace}": ${errorMessage(err)}`);
      }
      await sleep(500 * attempt);
    }
  }
  await waitUntilQueryable(connection, namespace, missing);
  return { added: missing.map((key) => key.name) };
}

/**
 * A workflow start is validated against the frontend's namespace cache, refreshed every few seconds; a visibility
 * query that names the attributes is validated the same way, so once it succeeds starts will too.
 */
async function waitUntilQueryable(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
  attributes: readonly AnySearchAttributeKey[],
): Promise<void> {
  const query = attributes.map((key) => `${key.name} = ${sampleValue(key.type)}`).join(' AND ');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace, query, pageSize: 1 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Search attributes were registered but are not usable yet: ${errorMessage(err)}`);
      await sleep(250);
    }
  }
}

function sampleValue(type: SearchAttributeType): string {
  switch (type) {
    case SearchAttributeType.INT:
    case SearchAttributeType.DOUBLE:
      return '0';
    case SearchAttributeType.BOOL:
      return 'true';
    case SearchAttributeType.DATETIME:
      return "'2000-01-01T00:00:00Z'";
    default:
      return "'probe'";
  }
}

/** A port the OS considers free right now (another process could still take it before we use it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function tcpAccepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function assertPortFree(host: string, port: number, what: string, advice: string): Promise<void> {
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
  if (error?.code === 'EADDRINUSE') throw new Error(`Port ${port} on ${host} (${what}) is already in use. ${advice}`);
  if (error) throw new Error(`Cannot listen on ${host}:${port} (${what}): ${error.message}`);
}

async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

function openLog(file: string): fs.WriteStream {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const stream = fs.createWriteStream(file, { flags: 'a' });
  stream.write(`--- Temporal dev server started ${new Date().toISOString()} ---\n`);
  return stream;
}

function isErrorLine(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'string' && /^(error|dpanic|panic|fatal)$/i.test(level);
  } catch {
    // Go panics and the CLI's own fatal messages are not JSON.
    return /panic|fatal|error/i.test(line);
  }
}

function summarizeLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; error?: unknown };
    return [entry.level, entry.msg, entry.error].filter((part) => typeof part === 'string' && part).join(': ');
  } catch {
    return line;
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function describeExit(info: { code: number | null; signal: NodeJS.Signals | null }): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}

function hostForUrl(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function indent(lines: string[]): string {
  return lines.map((line) => `  ${line}`).join('\n');
}
