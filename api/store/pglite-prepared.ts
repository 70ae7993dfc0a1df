// Named prepared statements on PGlite, which has no API for them: its query() parses and describes
// the statement again on every call, in six calls into the WebAssembly backend. A hot statement (a
// start's claim, a reply's route lookup) is parsed and described once per database; then each run is
// one call: Bind, Describe, Execute and Sync in one protocol message (still planned for its values:
// database.ts sets plan_cache_mode). The parameters are serialized and the rows parsed by PGlite's own
// serializers and parser, as query() does, under the same two locks query() takes, so a run never lands
// inside another caller's transaction. Relies on PGlite's wire-protocol members (execProtocol, the
// _runExclusive* locks): the version is pinned in package.json, and test/unit/database.test.ts checks
// that a run answers what query() answers.
import type { PGlite, parse as pgliteParse, protocol as pgliteProtocol } from '@electric-sql/pglite';

/** PGlite's protocol helpers, from the module the caller loaded (PGlite is loaded only when the embedded database is used). */
export interface PgliteProtocol {
  parse: typeof pgliteParse;
  protocol: typeof pgliteProtocol;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const message = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  return message;
}

export class PglitePreparedStatements {
  /** Each statement prepared in this database's session, by name: its text and its parameter types. */
  private readonly statements = new Map<string, { sql: string; parameterTypes: number[] }>();

  constructor(
    private readonly db: PGlite,
    private readonly pglite: PgliteProtocol,
  ) {}

  async run<Row>(name: string, sql: string, params: unknown[]): Promise<{ rows: Row[] }> {
    await this.db._checkReady();
    return this.db._runExclusiveTransaction(() =>
      this.db._runExclusiveQuery(async () => {
        const prepared = this.statements.get(name) ?? (await this.prepare(name, sql));
        // A name stands for one statement: another text under it would silently run the first one.
        if (prepared.sql !== sql) throw new Error(`prepared statement ${name} already stands for another statement`);
        const types = prepared.parameterTypes;
        const values = params.map((value, index) => {
          if (value === null || value === undefined) return null;
          const serializer = this.db.serializers[types[index]];
          return serializer ? serializer(value) : String(value);
        });
        const { serialize } = this.pglite.protocol;
        const { messages } = await this.db.execProtocol(concat([serialize.bind({ statement: name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]));
        return { rows: (this.pglite.parse.parseResults(messages, this.db.parsers)[0]?.rows ?? []) as Row[] };
      }),
    );
  }

  private async prepare(name: string, sql: string): Promise<{ sql: string; parameterTypes: number[] }> {
    const { serialize } = this.pglite.protocol;
    const { messages } = await this.db.execProtocol(concat([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]));
    const statement = { sql, parameterTypes: this.pglite.parse.parseDescribeStatementResults(messages) };
    this.statements.set(name, statement);
    return statement;
  }
}
