// Determinism: every recorded golden-scenario history (test/fixtures/histories, recorded by
// test/integration/golden-scenarios.test.ts with UPDATE_HISTORIES=1) replays against the current
// workflow code without a determinism error; and a deliberately non-deterministic variant of the
// workflow fails the same replay. The bundle is built with the worker's options: the engine, the
// widgets and liquidjs are preloaded, deep-frozen and shared by every history this one replay worker
// runs, as they are by every execution in a real worker.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { workflowBundlerOptions, WORKFLOWS_PATH } from '../../worker/bundle';

const HISTORIES = path.join(__dirname, '../fixtures/histories');
const histories = fs
  .readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ workflowId: path.basename(file, '.json'), history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8'))) }));

async function replayAll(workflowsPath: string): Promise<{ workflowId: string; error?: unknown }[]> {
  const results: { workflowId: string; error?: unknown }[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath, bundlerOptions: workflowBundlerOptions }, histories)) {
    results.push({ workflowId: result.workflowId, error: result.error });
  }
  return results;
}

beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
});

describe('replay of recorded histories', () => {
  it('has histories to replay', () => {
    expect(histories.length).toBeGreaterThanOrEqual(3);
  });

  it('replays every history against the current workflow code', async () => {
    const results = await replayAll(WORKFLOWS_PATH);
    expect(results.map((result) => result.workflowId).sort()).toEqual(histories.map((history) => history.workflowId).sort());
    for (const result of results) expect({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined }).toEqual({ workflowId: result.workflowId, error: undefined });
  }, 120_000);

  it('fails the replay of a deliberately non-deterministic change', async () => {
    const results = await replayAll(path.join(__dirname, '../fixtures/nondeterministic/index.ts'));
    expect(results).toHaveLength(histories.length);
    for (const result of results) expect(String(result.error)).toMatch(/[Nn]ondetermin|DeterminismViolation/);
  }, 120_000);
});
