// The flow store's SQL interface (api/store/database.ts) on both engines: a prepared statement
// (Database.run, which on the embedded database speaks PGlite's wire protocol itself) answers what
// query() answers for the same SQL: rows typed alike, nothing for a statement without rows, errors
// thrown (and the database usable after them), and never a run inside another caller's transaction.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDatabase, preparedStatement, type Database } from '../../api/store/database';
import { newSid } from '../../common/sid';
import { isolatedDatabaseUrl } from '../support/isolated-postgres';

const backends: [string, string | undefined][] = [['embedded database', undefined]];
if (process.env.TEST_DATABASE_URL) backends.push(['PostgreSQL', process.env.TEST_DATABASE_URL]);
else console.warn('skipping the PostgreSQL run of the database tests: TEST_DATABASE_URL is not set');

const INSERT = preparedStatement(
  'test_insert_execution',
  `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_channel_address, channel_address, route_key, active, initiated_by, trigger_type, date_created, date_updated)
   VALUES ($1, 'AC1', $2, $3, $4, '+2', $5, $6, 'RQ1', 'incomingRequest', $7, $7)
   ON CONFLICT (flow_sid, route_key) WHERE active DO NOTHING RETURNING sid, flow_version, active, date_created`,
);
const SELECT = preparedStatement('test_select_execution', `SELECT * FROM executions WHERE sid = $1`);
const ACTIVE_ON_ROUTE = preparedStatement('test_active_on_route', `SELECT sid FROM executions WHERE flow_sid = $1 AND route_key = $2 AND active`);
const UPDATE = preparedStatement('test_end_execution', `UPDATE executions SET active = FALSE WHERE sid = $1`);
const DUPLICATE = preparedStatement(
  'test_insert_duplicate_sid',
  `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_channel_address, channel_address, route_key, active, initiated_by, trigger_type, date_created, date_updated)
   VALUES ($1, 'AC1', 'FW1', 1, '+1', '+2', $2, FALSE, 'RQ1', 'incomingRequest', now(), now())`,
);

describe.each(backends)('prepared statements on the %s', (_name, testDatabaseUrl) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-database-'));
  let database: Database;

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl ? await isolatedDatabaseUrl(testDatabaseUrl, 'studio_database_test') : undefined;
    database = await openDatabase({ databaseUrl, dataDir });
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function insert(contact: string, active: boolean | null = true) {
    const sid = newSid('FN');
    const dateCreated = new Date('2026-01-02T03:04:05.678Z');
    return { sid, dateCreated, result: await database.run(INSERT, [sid, 'FW1', 3, contact, `pair:${contact}|+2`, active, dateCreated]) };
  }

  it('answers the rows query() answers, with the same types, run after run', async () => {
    for (let run = 0; run < 3; run++) {
      const { sid, dateCreated, result } = await insert(`+1555000${run}`);
      expect(result.rows).toEqual([{ sid, flow_version: 3, active: true, date_created: dateCreated }]);
      const prepared = await database.run(SELECT, [sid]);
      const plain = await database.query(`SELECT * FROM executions WHERE sid = $1`, [sid]);
      expect(prepared.rows).toEqual(plain.rows);
      expect(prepared.rows[0]).toMatchObject({ sid, flow_version: 3, route_key: `pair:+1555000${run}|+2`, date_created: dateCreated });
    }
    expect((await database.run(SELECT, ['FN-none'])).rows).toEqual([]);
  });

  it('answers no rows for a statement without any, and nothing for a conflict it skips', async () => {
    const { sid } = await insert('+15550010');
    expect((await database.run(UPDATE, [sid])).rows).toEqual([]);
    expect((await database.run(SELECT, [sid])).rows[0]).toMatchObject({ active: false });
    await insert('+15550011');
    expect((await insert('+15550011')).result.rows).toEqual([]);
  });

  it('throws the database error, and the next run works', async () => {
    const sid = newSid('FN');
    await database.run(DUPLICATE, [sid, 'pair:a']);
    await expect(database.run(DUPLICATE, [sid, 'pair:b'])).rejects.toThrow(/duplicate key|unique/i);
    await expect(database.run(INSERT, [newSid('FN'), 'FW1', 3, '+1', 'pair:c', null, new Date()])).rejects.toThrow(/null value|not-null/i);
    expect((await database.run(SELECT, [sid])).rows).toHaveLength(1);
  });

  it('refuses another statement under a name already prepared, rather than run the first one', async () => {
    await database.run(SELECT, ['FN-none']);
    const impostor = preparedStatement(SELECT.name, `SELECT 1 AS one`);
    if (database.kind === 'embedded') await expect(database.run(impostor, [])).rejects.toThrow(/already stands for another statement/);
    else expect((await database.run(impostor, [])).rows).toEqual([{ one: 1 }]); // PostgreSQL keeps nothing by name
  });

  it('plans each run for the table as it is now, not as it was when the statement first ran', async () => {
    const flowSid = newSid('FW');
    let routes = 0;
    const growTo = async (count: number) => {
      for (; routes < count; routes++) await database.run(INSERT, [newSid('FN'), flowSid, 1, `+1556${routes}`, `pair:+1556${routes}|+2`, true, new Date()]);
    };
    // With a few hundred rows and no statistics (PGlite never analyzes), the planner takes another index of
    // the flow for a route lookup; a plan kept from then would scan all of the flow's executions later on.
    await growTo(300);
    for (let run = 0; run < 10; run++) expect((await database.run(ACTIVE_ON_ROUTE, [flowSid, 'pair:+15560|+2'])).rows).toHaveLength(1);
    await growTo(2000);
    expect((await database.run(ACTIVE_ON_ROUTE, [flowSid, 'pair:+15561999|+2'])).rows).toHaveLength(1);
    if (database.kind !== 'embedded') return; // PostgreSQL gets plain queries: nothing is kept between runs
    const plan = await database.query<Record<string, string>>(`EXPLAIN EXECUTE test_active_on_route('${flowSid}', 'pair:+15561999|+2')`);
    expect(plan.rows[0]['QUERY PLAN']).toContain('Index Scan using executions_one_active_per_route');
  });

  it('waits for another caller\'s transaction instead of running inside it', async () => {
    const sid = newSid('FN');
    let inserted!: () => void;
    const rowInserted = new Promise<void>((resolve) => (inserted = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = database.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_channel_address, channel_address, route_key, active, initiated_by, trigger_type, date_created, date_updated)
         VALUES ($1, 'AC1', 'FW1', 1, '+1', '+2', 'pair:tx', FALSE, 'RQ1', 'incomingRequest', now(), now())`,
        [sid],
      );
      inserted();
      await held;
      throw new Error('rolled back on purpose');
    });
    await rowInserted;
    // Asked for while the transaction holds its uncommitted row, before the transaction goes on to roll back.
    const read = database.run(SELECT, [sid]);
    release();
    await expect(transaction).rejects.toThrow('rolled back on purpose');
    // Had the run landed inside the transaction (one session on the embedded database), it would have seen the row.
    expect((await read).rows).toEqual([]);
  });
});
