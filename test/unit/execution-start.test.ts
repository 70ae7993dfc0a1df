// How an execution starts (ExecutionService.startFlow): the claim of the contact's route reads the
// revision to run from the flow row in the same statement, and revisions, which never change, come from
// a cache. Whatever the shortcut, the flow row decides the revision at the moment of the start (test
// users the latest, everyone else the published one) on every API instance; a missing flow, a flow
// without that revision and a taken route are told apart; one route has one active execution. On both
// flow stores: the embedded database, and PostgreSQL when TEST_DATABASE_URL is set (in a database of
// this file's own). Temporal is a fake that records the starts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { ExecutionService, type FlowStartRequest } from '../../api/execution-service';
import { openDatabase, type Database } from '../../api/store/database';
import { ExecutionStore, pairRouteKey, type RevisionChoice } from '../../api/store/execution-store';
import { FlowStore, type FlowRevisionRecord, type FlowSave, type FlowStatus } from '../../api/store/flow-store';
import { RevisionCache } from '../../api/store/revision-cache';
import { loadConfig } from '../../common/config';
import { newSid } from '../../common/sid';
import type { StudioExecutionInput } from '../../workflows/engine/types';
import { isolatedDatabaseUrl } from '../support/isolated-postgres';

const CHANNEL = '+15005550900';
const TEST_USER = '+15550009001';

const backends: [string, string | undefined][] = [['embedded database', undefined]];
if (process.env.TEST_DATABASE_URL) backends.push(['PostgreSQL', process.env.TEST_DATABASE_URL]);
else console.warn('skipping the PostgreSQL run of the execution start tests: TEST_DATABASE_URL is not set');

function flowSave(status: FlowStatus, description: string): FlowSave {
  const definition = { description, states: [{ name: 'Trigger', type: 'trigger', transitions: [], properties: { offset: { x: 0, y: 0 } } }], initial_state: 'Trigger', flags: {} };
  return { friendlyName: 'Start path', status, definition: JSON.stringify(definition), commitMessage: null, valid: true, errors: [], warnings: [] };
}

/** A Temporal client that records what is started and says that every workflow runs. */
function fakeTemporal() {
  const started: StudioExecutionInput[] = [];
  const client = {
    workflow: {
      start: async (_workflowType: string, options: { args: [StudioExecutionInput] }) => {
        started.push(options.args[0]);
        return {};
      },
      getHandle: () => ({ describe: async () => ({ status: { name: 'RUNNING' } }) }),
    },
  };
  return { client: client as unknown as Client, started };
}

let contacts = 0;
function newContact(): string {
  contacts++;
  return `+1555000${String(contacts).padStart(4, '0')}`;
}

function startRequest(flowSid: string, contactAddress: string, revisionChoice: RevisionChoice = 'latest-for-test-users'): FlowStartRequest {
  const requestSid = newSid('RQ');
  return {
    flowSid,
    revisionChoice,
    trigger: { type: 'incomingRequest', to: contactAddress, from: CHANNEL, parameters: {}, requestSid },
    contactAddress,
    channelAddress: CHANNEL,
    routeKey: pairRouteKey(contactAddress, CHANNEL),
    initiatedBy: requestSid,
  };
}

/** One API instance's view: its own flow store (and so its own revision cache) and service. */
function apiInstance(database: Database) {
  const temporal = fakeTemporal();
  const flows = new FlowStore(database);
  const executions = new ExecutionStore(database);
  const service = new ExecutionService(loadConfig({}), temporal.client, executions, flows);
  return { flows, executions, service, started: temporal.started };
}

describe.each(backends)('starting executions on the %s', (_name, testDatabaseUrl) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-execution-start-'));
  let database: Database;
  let api: ReturnType<typeof apiInstance>;

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl ? await isolatedDatabaseUrl(testDatabaseUrl, 'studio_execution_start') : undefined;
    database = await openDatabase({ databaseUrl, dataDir });
    api = apiInstance(database);
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A flow with published revision 1 ('v1') and draft revision 2 ('v2'), tested by TEST_USER. */
  async function flowWithDraft(): Promise<string> {
    const flowSid = newSid('FW');
    await api.flows.create(flowSid, loadConfig({}).accountSid, flowSave('published', 'v1'));
    await api.flows.update(flowSid, flowSave('draft', 'v2'));
    await api.flows.setTestUsers(flowSid, [TEST_USER]);
    return flowSid;
  }

  it('runs the published revision, and for a test user the latest one, draft or not', async () => {
    const flowSid = await flowWithDraft();
    const contact = newContact();
    const everyone = await api.service.startFlow(startRequest(flowSid, contact));
    const testUser = await api.service.startFlow(startRequest(flowSid, TEST_USER));
    expect(everyone).toMatchObject({ started: true, execution: { flowSid, flowVersion: 1, active: true, contactChannelAddress: contact } });
    expect(testUser).toMatchObject({ started: true, execution: { flowSid, flowVersion: 2, active: true, contactChannelAddress: TEST_USER } });
    expect(api.started.slice(-2).map((input) => [input.flowRevision, input.definition.description])).toEqual([
      [1, 'v1'],
      [2, 'v2'],
    ]);
    // What a start answers is what the index holds (the claim no longer reads the row back).
    if (!everyone.started) throw new Error('not started');
    expect(await api.executions.get(everyone.execution.sid)).toEqual(everyone.execution);
    // A message to the flow always runs the published revision, test user or not.
    await api.executions.markEnded((testUser as { execution: { sid: string } }).execution.sid);
    expect(await api.service.startFlow(startRequest(flowSid, TEST_USER, 'published'))).toMatchObject({ started: true, execution: { flowVersion: 1 } });
  });

  it('tells a missing flow, a flow without a published revision and a taken route apart, and claims nothing for them', async () => {
    expect(await api.service.startFlow(startRequest(newSid('FW'), newContact()))).toEqual({ started: false, missing: 'flow' });

    const draftOnly = newSid('FW');
    await api.flows.create(draftOnly, loadConfig({}).accountSid, flowSave('draft', 'draft only'));
    await api.flows.setTestUsers(draftOnly, [TEST_USER]);
    expect(await api.service.startFlow(startRequest(draftOnly, newContact()))).toEqual({ started: false, missing: 'revision' });
    expect(await api.service.startFlow(startRequest(draftOnly, newContact(), 'published'))).toEqual({ started: false, missing: 'revision' });
    expect(await api.service.startFlow(startRequest(draftOnly, TEST_USER))).toMatchObject({ started: true, execution: { flowVersion: 1 } });

    const flowSid = await flowWithDraft();
    const contact = newContact();
    const first = await api.service.startFlow(startRequest(flowSid, contact));
    if (!first.started) throw new Error('the first start was refused');
    expect(await api.service.startFlow(startRequest(flowSid, contact))).toEqual({ started: false, activeSid: first.execution.sid });
    expect((await api.executions.list(flowSid, {}, 0, 10)).map((record) => record.sid)).toEqual([first.execution.sid]);
  });

  it('gives 50 concurrent starts for one contact exactly one execution', async () => {
    const flowSid = await flowWithDraft();
    const contact = newContact();
    const results = await Promise.all(Array.from({ length: 50 }, () => api.service.startFlow(startRequest(flowSid, contact))));
    const started = results.filter((result) => result.started);
    expect(started).toHaveLength(1);
    const sid = (started[0] as { execution: { sid: string } }).execution.sid;
    expect(results.filter((result) => !result.started)).toEqual(Array.from({ length: 49 }, () => ({ started: false, activeSid: sid })));
    expect(await api.executions.list(flowSid, { active: true }, 0, 100)).toHaveLength(1);
  });

  it('never runs a cached revision in place of what the flow row says now, whichever instance changed it', async () => {
    const other = apiInstance(database);
    const flowSid = await flowWithDraft();
    expect(await api.service.startFlow(startRequest(flowSid, newContact()))).toMatchObject({ started: true, execution: { flowVersion: 1 } });
    // Another instance publishes revision 3: this instance's next start runs it.
    await other.flows.update(flowSid, flowSave('published', 'v3'));
    expect(await api.service.startFlow(startRequest(flowSid, newContact()))).toMatchObject({ started: true, execution: { flowVersion: 3 } });
    expect(api.started.at(-1)?.definition.description).toBe('v3');
    expect((await api.flows.revision(flowSid, 'LatestPublished'))?.revision).toBe(3);
    // Another instance deletes the flow: no revision of it is served any more, cached or not.
    await other.flows.delete(flowSid);
    expect(await api.service.startFlow(startRequest(flowSid, newContact()))).toEqual({ started: false, missing: 'flow' });
    expect(await api.flows.revision(flowSid, 1)).toBeNull();
    expect(await api.flows.revision(flowSid, 'LatestPublished')).toBeNull();
  });

  it('shares one read-only record per revision between its readers', async () => {
    const flowSid = await flowWithDraft();
    const first = await api.flows.revision(flowSid, 1);
    const again = await api.flows.revision(flowSid, 'LatestPublished');
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { friendlyName: string }).friendlyName = 'changed';
    }).toThrow(TypeError);
    expect(() => (first as FlowRevisionRecord).errors.push({ message: 'x', property_path: '#' })).toThrow(TypeError);
    expect((await api.flows.revision(flowSid, 1))?.friendlyName).toBe('Start path');
  });
});

describe('RevisionCache', () => {
  const record = (flowSid: string, revision: number, definitionChars: number) => ({ flowSid, revision, definition: 'x'.repeat(definitionChars) }) as FlowRevisionRecord;

  it('keeps revisions up to a total definition length, dropping the least recently used first', () => {
    const cache = new RevisionCache(300);
    cache.set(record('FWa', 1, 100));
    cache.set(record('FWa', 2, 100));
    cache.set(record('FWb', 1, 100));
    expect(cache.get('FWa', 1)?.revision).toBe(1); // used: FWa/2 is now the oldest
    cache.set(record('FWc', 1, 100));
    expect(cache.get('FWa', 2)).toBeUndefined();
    expect(cache.get('FWa', 1)).toBeDefined();
    expect(cache.get('FWb', 1)).toBeDefined();
    expect(cache.get('FWc', 1)).toBeDefined();
    expect(cache.size).toBe(3);
  });

  it('does not keep a definition larger than the whole cache, nor push others out for it', () => {
    const cache = new RevisionCache(300);
    cache.set(record('FWa', 1, 200));
    cache.set(record('FWhuge', 1, 301));
    expect(cache.get('FWhuge', 1)).toBeUndefined();
    expect(cache.get('FWa', 1)).toBeDefined();
  });
});
