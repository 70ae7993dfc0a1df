// Starts the real Temporal CLI dev server (found or built by findTemporalCli) on free ports with a temporary
// SQLite file: start-up, search attributes on a fresh and on an existing database, the Web UI, stop().
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { DevServer, devServerArgs, ensureSearchAttributes, freePort, startDevServer, STUDIO_RETENTION_DAYS } from '../../scripts/dev-server';
import { findTemporalCli } from '../../scripts/temporal-cli';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

const NAMESPACE = 'studio-dev-server-test';
/** temporal.api.enums.v1.IndexedValueType by SDK type. */
const INDEXED: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

let cliPath: string;
let tmp: string;
let dbFile: string;
const running: DevServer[] = [];

beforeAll(async () => {
  try {
    // May build the CLI with go install the very first time on a machine: minutes, hence the long timeout.
    cliPath = (await findTemporalCli({ log: (line) => process.stderr.write(`${line}\n`) })).path;
  } catch (err) {
    throw new Error(`The dev-server tests need the Temporal CLI, and none could be found or built: ${(err as Error).message}`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-server-test-'));
  dbFile = path.join(tmp, 'data', 'temporal.sqlite');
}, 15 * 60_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function retentionDays(address: string): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    const described = await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
    return Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86400;
  } finally {
    await connection.close();
  }
}

async function start(options: Partial<Parameters<typeof startDevServer>[0]> = {}): Promise<DevServer> {
  const server = await startDevServer({ cliPath, port: await freePort(), namespace: NAMESPACE, dbFile, ...options });
  running.push(server);
  return server;
}

async function customAttributes(address: string, namespace = NAMESPACE): Promise<Record<string, number>> {
  const connection = await Connection.connect({ address });
  try {
    const response = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.fromEntries(Object.entries(response.customAttributes ?? {}).map(([name, type]) => [name, Number(type)]));
  } finally {
    await connection.close();
  }
}

describe('startDevServer', () => {
  test('the command line: namespace, log format, every search attribute, the SDK\'s dynamic config, one partition per task queue', () => {
    const args = devServerArgs({ cliPath: 'temporal', port: 7233, namespace: 'ns', dbFile: 'x.db', extraArgs: ['--foo'] });
    expect(args.slice(0, 6)).toEqual(['server', 'start-dev', '--ip', '127.0.0.1', '--port', '7233']);
    expect(args).toContain('--headless');
    expect(args.join(' ')).toContain('--db-filename x.db --namespace ns --log-format json --log-level warn');
    expect(args.join(' ')).toContain(
      '--search-attribute StudioFlowSid=Keyword --search-attribute StudioFlowRevision=Int --search-attribute StudioExecutionStatus=Keyword',
    );
    expect(args.join(' ')).toContain('--dynamic-config-value frontend.enableUpdateWorkflowExecution=true');
    // One partition per task queue: a retried workflow task must not wait ~2 s in a partition nobody polls.
    expect(args.join(' ')).toContain('--dynamic-config-value matching.numTaskqueueReadPartitions=1 --dynamic-config-value matching.numTaskqueueWritePartitions=1');
    expect(args[args.length - 1]).toBe('--foo');
    const withUi = devServerArgs({ cliPath: 'temporal', port: 7233, uiPort: 8233 });
    expect(withUi).not.toContain('--headless');
    expect(withUi.join(' ')).toContain('--ui-port 8233');
  });

  test('starts on free ports with a SQLite file, registers the search attributes, serves the UI, and stops', async () => {
    const uiPort = await freePort();
    const lines: string[] = [];
    const server = await start({ uiPort, log: (line) => lines.push(line), logFile: path.join(tmp, 'server.log') });
    expect(server.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
    expect(lines.join('\n')).toMatch(/Temporal dev server ready in [\d.]+ s: 127\.0\.0\.1:\d+, namespace "studio-dev-server-test", Web UI/);
    expect(fs.existsSync(dbFile)).toBe(true);

    const attributes = await customAttributes(server.address);
    for (const key of ALL_SEARCH_ATTRIBUTES) expect({ [key.name]: attributes[key.name] }).toEqual({ [key.name]: INDEXED[key.type] });
    // The CLI creates the namespace with 24 hours; Studio keeps an execution's data 30 days.
    expect(lines.join('\n')).toContain(`Setting the retention of namespace "${NAMESPACE}" to ${STUDIO_RETENTION_DAYS} days (was 24 hours)`);
    expect(await retentionDays(server.address)).toBe(STUDIO_RETENTION_DAYS);

    const response = await fetch(server.uiUrl as string);
    expect(response.status).toBe(200);
    await response.arrayBuffer();

    await server.stop();
    expect(server.process.exitCode !== null || server.process.signalCode !== null).toBe(true);
    await expect(server.stop()).resolves.toBeUndefined(); // stopping twice is harmless
    expect(fs.readFileSync(path.join(tmp, 'server.log'), 'utf8')).toContain('Temporal dev server started');
  });

  test('on the existing SQLite file, a search attribute added to the list is registered through the operator API', async () => {
    // Runs after the previous test: the namespace already exists in dbFile, so the CLI skips its --search-attribute.
    expect(fs.existsSync(dbFile)).toBe(true);
    const extra = defineSearchAttributeKey('StudioTestAddedLater', SearchAttributeType.KEYWORD);
    const lines: string[] = [];
    const server = await start({ searchAttributes: [...ALL_SEARCH_ATTRIBUTES, extra], log: (line) => lines.push(line) });
    expect(server.uiUrl).toBeNull();
    expect(await retentionDays(server.address)).toBe(STUDIO_RETENTION_DAYS);
    expect(lines.join('\n')).not.toContain('Setting the retention'); // already long enough: left alone
    // Only ensureSearchAttributes could have added it, and it says so.
    expect(lines.join('\n')).toContain(`Registering search attributes in namespace "${NAMESPACE}": StudioTestAddedLater (Keyword)`);
    const attributes = await customAttributes(server.address);
    expect(attributes.StudioTestAddedLater).toBe(INDEXED.KEYWORD);
    for (const key of ALL_SEARCH_ATTRIBUTES) expect(attributes[key.name]).toBe(INDEXED[key.type]);

    // Usable at once: a visibility query naming it is accepted.
    const connection = await Connection.connect({ address: server.address });
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, query: `StudioTestAddedLater = 'x'` });
      // Idempotent, and a type conflict is refused with a clear message.
      await expect(ensureSearchAttributes(connection, NAMESPACE, [...ALL_SEARCH_ATTRIBUTES, extra])).resolves.toEqual({ added: [] });
      await expect(
        ensureSearchAttributes(connection, NAMESPACE, [defineSearchAttributeKey('StudioFlowSid', SearchAttributeType.INT)]),
      ).rejects.toThrow(`Search attribute StudioFlowSid exists in namespace "${NAMESPACE}" with type KEYWORD, but Studio on Temporal needs INT`);
    } finally {
      await connection.close();
    }
  });

  test('a port in use is reported plainly before anything starts', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(start({ port, dbFile: undefined })).rejects.toThrow(`Port ${port} on 127.0.0.1 (Temporal frontend) is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('a server that exits during start-up is reported with its output', async () => {
    const attempt = start({ dbFile: undefined, extraArgs: ['--no-such-flag'] });
    await expect(attempt).rejects.toThrow('The Temporal dev server exited during start-up (exit code 1)');
    await expect(attempt).rejects.toThrow('unknown flag: --no-such-flag');
  });

  test('a missing executable is reported at once', async () => {
    await expect(start({ cliPath: path.join(tmp, 'no-temporal-here'), dbFile: undefined })).rejects.toThrow(
      /Could not run the Temporal CLI at .*no-temporal-here: spawn .* ENOENT/,
    );
  });
});

test('freePort returns a port that can be listened on', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  await new Promise((resolve) => server.close(resolve));
});
