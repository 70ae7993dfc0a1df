// One SQL interface over two engines: PGlite (PostgreSQL compiled to WebAssembly, embedded, a folder
// under DATA_DIR, no set-up) by default, and a real PostgreSQL server when DATABASE_URL is set. Both
// speak PostgreSQL, so the schema and every query are the same.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PglitePreparedStatements } from './pglite-prepared';

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/**
 * A statement the hot paths run again and again (a start's claim, a reply's route lookup). The embedded
 * database, whose parser and planner run in this process, keeps it parsed (pglite-prepared.ts); PostgreSQL
 * gets it as a plain query. `name` is unique per statement.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly sql: string;
}

export function preparedStatement(name: string, sql: string): PreparedStatement {
  return { name, sql };
}

export interface Database extends Queryable {
  /** The rows query(statement.sql, params) would answer, for less work per run on the embedded database (outside transactions). */
  run<Row = Record<string, unknown>>(statement: PreparedStatement, params: unknown[]): Promise<{ rows: Row[] }>;
  /** Runs `work` in one transaction (committed if it resolves, rolled back if it throws). */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'embedded' | 'postgresql';
}

export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  const database = options.databaseUrl ? await openPostgres(options.databaseUrl) : await openEmbedded(path.join(options.dataDir, 'studio-db'));
  await migrate(database);
  return database;
}

async function openEmbedded(directory: string): Promise<Database> {
  const { PGlite, parse, protocol } = await import('@electric-sql/pglite');
  fs.mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  // PGlite never analyzes a table (it has no autovacuum), so a generic plan that a prepared statement got
  // while its table was small (a scan of another index, say) would be kept as the table grows. Each run is
  // planned for its values instead, as query() plans every statement; the parsing is still saved.
  await db.exec('SET plan_cache_mode = force_custom_plan');
  const prepared = new PglitePreparedStatements(db, { parse, protocol });
  return {
    kind: 'embedded',
    query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await db.query<Row>(sql, params)).rows }),
    run: <Row>(statement: PreparedStatement, params: unknown[]) => prepared.run<Row>(statement.name, statement.sql, params),
    transaction: (work) => db.transaction((tx) => work({ query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await tx.query<Row>(sql, params)).rows }) })),
    close: () => db.close(),
  };
}

async function openPostgres(url: string): Promise<Database> {
  const { Pool } = await import('pg');
  const pool = new Pool({ connectionString: url, max: 10 });
  return {
    kind: 'postgresql',
    query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as Row[] }),
    // A plain query: the server, not this process, parses and plans it, each time for its values.
    run: async <Row>(statement: PreparedStatement, params: unknown[]) => ({ rows: (await pool.query(statement.sql, params)).rows as Row[] }),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as Row[] }) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Any fixed number: the advisory lock that serializes migrations across API instances. */
const MIGRATION_LOCK_KEY = 7_817_324_001;

/** The schema, idempotent: every start brings an old database up to date. */
async function migrate(database: Database): Promise<void> {
  const statements = [
    `CREATE TABLE IF NOT EXISTS flows (
       sid TEXT PRIMARY KEY,
       account_sid TEXT NOT NULL,
       friendly_name TEXT NOT NULL,
       status TEXT NOT NULL,
       revision INTEGER NOT NULL,
       published_revision INTEGER,
       test_users TEXT NOT NULL DEFAULT '[]',
       date_created TIMESTAMPTZ NOT NULL,
       date_updated TIMESTAMPTZ NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS flow_revisions (
       flow_sid TEXT NOT NULL REFERENCES flows(sid) ON DELETE CASCADE,
       revision INTEGER NOT NULL,
       friendly_name TEXT NOT NULL,
       status TEXT NOT NULL,
       definition TEXT NOT NULL,
       commit_message TEXT,
       valid BOOLEAN NOT NULL,
       errors TEXT NOT NULL,
       warnings TEXT NOT NULL,
       date_created TIMESTAMPTZ NOT NULL,
       PRIMARY KEY (flow_sid, revision))`,
    `CREATE TABLE IF NOT EXISTS executions (
       sid TEXT PRIMARY KEY,
       account_sid TEXT NOT NULL,
       flow_sid TEXT NOT NULL,
       flow_version INTEGER NOT NULL,
       contact_channel_address TEXT NOT NULL,
       channel_address TEXT NOT NULL,
       route_key TEXT NOT NULL,
       active BOOLEAN NOT NULL,
       initiated_by TEXT NOT NULL,
       trigger_type TEXT NOT NULL,
       date_created TIMESTAMPTZ NOT NULL,
       date_updated TIMESTAMPTZ NOT NULL)`,
    // Decision 2: one active execution per (flow, contact, channel address) — enforced by the database, race-free.
    `CREATE UNIQUE INDEX IF NOT EXISTS executions_one_active_per_route ON executions (flow_sid, route_key) WHERE active`,
    `CREATE INDEX IF NOT EXISTS executions_by_flow ON executions (flow_sid, date_created DESC)`,
    `CREATE INDEX IF NOT EXISTS executions_by_initiator ON executions (flow_sid, initiated_by)`,
    // The inbound messages the gateway delivered to a running execution: a retried webhook of one of them
    // that arrives after that execution ended must not start a new one.
    `CREATE TABLE IF NOT EXISTS inbound_deliveries (
       flow_sid TEXT NOT NULL,
       message_sid TEXT NOT NULL,
       execution_sid TEXT NOT NULL,
       date_created TIMESTAMPTZ NOT NULL,
       PRIMARY KEY (flow_sid, message_sid))`,
  ];
  // API instances started together against a fresh PostgreSQL would race: concurrent CREATE … IF NOT
  // EXISTS fails with a unique violation in pg_type. One instance migrates at a time, in one transaction.
  await database.transaction(async (tx) => {
    if (database.kind === 'postgresql') await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    for (const statement of statements) await tx.query(statement);
  });
}
