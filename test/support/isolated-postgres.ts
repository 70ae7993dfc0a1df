// A PostgreSQL database of a test file's own, next to TEST_DATABASE_URL's: tests that share that
// database drop its tables when they start (test/support/api-server.ts), which would pull the floor
// from under another file running at the same time.
import { Client as PostgresClient } from 'pg';

/** The URL of database `name` on TEST_DATABASE_URL's server, created on first use (as its user) and emptied of the API's tables. */
export async function isolatedDatabaseUrl(testDatabaseUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const admin = new PostgresClient({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) {
      await admin.query(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another run
      });
    }
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  const reset = new PostgresClient({ connectionString: url.toString() });
  await reset.connect();
  try {
    await reset.query('DROP TABLE IF EXISTS inbound_deliveries, executions, flow_revisions, flows CASCADE');
  } finally {
    await reset.end();
  }
  return url.toString();
}
