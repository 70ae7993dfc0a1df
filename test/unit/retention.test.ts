// Studio keeps an execution's data 30 days after it starts (api/retention.ts): the execution index and
// the delivered-message records older than that are pruned; newer ones, and an index row still marked
// active within a day past the limit, are kept.
import { startRetentionSweeper } from '../../api/retention';
import { ExecutionStore, pairRouteKey } from '../../api/store/execution-store';
import { createLogger } from '../../common/logger';
import { startApiServer, type ApiServer } from '../support/api-server';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-11-22T12:00:00Z');

describe('retention', () => {
  let api: ApiServer;
  let executions: ExecutionStore;
  beforeAll(async () => {
    api = await startApiServer('studio-retention-');
    executions = new ExecutionStore(api.database);
  });
  afterAll(async () => api?.stop());

  let counter = 0;
  async function execution(ageDays: number, ended: boolean): Promise<string> {
    counter++;
    const sid = 'FN' + counter.toString(16).padStart(32, '0');
    const contact = `+1555000${String(counter).padStart(4, '0')}`;
    const claim = await executions.claim({
      sid,
      accountSid: 'AC' + '0'.repeat(32),
      flowSid: 'FW' + '1'.repeat(32),
      flowVersion: 1,
      contactChannelAddress: contact,
      channelAddress: '+15005550000',
      routeKey: pairRouteKey(contact, '+15005550000'),
      initiatedBy: 'RQ' + counter.toString(16).padStart(32, '0'),
      triggerType: 'incomingRequest',
      dateCreated: new Date(NOW.getTime() - ageDays * DAY),
    });
    expect(claim.claimed).toBe(true);
    if (ended) await executions.markEnded(sid);
    return sid;
  }

  test('prunes what started more than 30 days ago, keeps the rest', async () => {
    const old = await execution(31, true);
    const recent = await execution(29, true);
    const oldButFlaggedActive = await execution(30.5, false);
    const staleActive = await execution(32, false);
    const flowSid = 'FW' + '1'.repeat(32);
    await executions.recordDelivery(flowSid, 'IM-old', old, new Date(NOW.getTime() - 31 * DAY));
    await executions.recordDelivery(flowSid, 'IM-recent', recent, new Date(NOW.getTime() - 2 * DAY));

    const sweeper = startRetentionSweeper(executions, createLogger('test', 'silent'), { now: () => NOW, intervalMs: 3600_000 });
    try {
      // The sweep at start may still be running; a second one finds nothing left to remove.
      await sweeper.sweep();
      expect(await executions.get(old)).toBeNull();
      expect(await executions.get(staleActive)).toBeNull();
      expect(await executions.get(recent)).not.toBeNull();
      expect(await executions.get(oldButFlaggedActive)).not.toBeNull();
      expect(await executions.handledBy(flowSid, 'IM-old')).toBeNull();
      expect(await executions.handledBy(flowSid, 'IM-recent')).toBe(recent);
      await expect(sweeper.sweep()).resolves.toEqual({ executions: 0, deliveries: 0 });
    } finally {
      sweeper.stop();
    }
  });
});
