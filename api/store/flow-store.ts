// Flows and their immutable revisions. Every save is a new revision, numbered under a row lock so
// that concurrent updates of one flow never lose or repeat a number.
import { preparedStatement, type Database, type Queryable } from './database';
import { RevisionCache } from './revision-cache';

export type FlowStatus = 'draft' | 'published';

export interface IssueList {
  message: string;
  property_path: string;
}

/** What one save of a flow writes: the fields of its new revision that come from the request. */
export interface FlowSave {
  friendlyName: string;
  status: FlowStatus;
  /** The definition text exactly as it was sent. */
  definition: string;
  commitMessage: string | null;
  valid: boolean;
  errors: IssueList[];
  warnings: IssueList[];
}

export interface FlowRevisionRecord extends FlowSave {
  flowSid: string;
  accountSid: string;
  revision: number;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface FlowRecord extends FlowRevisionRecord {
  publishedRevision: number | null;
  testUsers: string[];
}

/** What the flow row alone says: which revisions are latest and published, and who tests it. */
export interface FlowHead {
  flowSid: string;
  accountSid: string;
  revision: number;
  publishedRevision: number | null;
  testUsers: string[];
}

interface FlowHeadRow {
  account_sid: string;
  revision: number;
  published_revision: number | null;
  test_users: string;
}

interface FlowRow {
  sid: string;
  account_sid: string;
  revision: number;
  published_revision: number | null;
  test_users: string;
  date_created: Date;
  date_updated: Date;
  r_friendly_name: string;
  r_status: FlowStatus;
  definition: string;
  commit_message: string | null;
  valid: boolean;
  errors: string;
  warnings: string;
}

const FLOW_SELECT = `SELECT f.sid, f.account_sid, f.revision, f.published_revision, f.test_users, f.date_created, f.date_updated,
  r.friendly_name AS r_friendly_name, r.status AS r_status, r.definition, r.commit_message, r.valid, r.errors, r.warnings
  FROM flows f JOIN flow_revisions r ON r.flow_sid = f.sid AND r.revision = f.revision`;

// What every start may read (prepared statements, database.ts): the flow row, and a revision on a cache miss.
const HEAD = preparedStatement('flows_head', `SELECT account_sid, revision, published_revision, test_users FROM flows WHERE sid = $1`);
const REVISION = preparedStatement('flow_revisions_get', `SELECT * FROM flow_revisions WHERE flow_sid = $1 AND revision = $2`);
const REVISION_WITH_ACCOUNT = preparedStatement(
  'flow_revisions_get_with_account',
  `SELECT r.*, f.account_sid FROM flow_revisions r JOIN flows f ON f.sid = r.flow_sid WHERE r.flow_sid = $1 AND r.revision = $2`,
);

function toFlow(row: FlowRow): FlowRecord {
  return {
    flowSid: row.sid,
    accountSid: row.account_sid,
    revision: row.revision,
    publishedRevision: row.published_revision,
    testUsers: JSON.parse(row.test_users) as string[],
    friendlyName: row.r_friendly_name,
    status: row.r_status,
    definition: row.definition,
    commitMessage: row.commit_message,
    valid: row.valid,
    errors: JSON.parse(row.errors) as IssueList[],
    warnings: JSON.parse(row.warnings) as IssueList[],
    dateCreated: new Date(row.date_created),
    dateUpdated: new Date(row.date_updated),
  };
}

export class FlowStore {
  /** Revisions are immutable: read each one from the database once (starts read one per execution). */
  private readonly revisionCache = new RevisionCache();

  constructor(private readonly db: Database) {}

  async create(sid: string, accountSid: string, save: FlowSave, now = new Date()): Promise<FlowRecord> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO flows (sid, account_sid, friendly_name, status, revision, published_revision, date_created, date_updated)
         VALUES ($1, $2, $3, $4, 1, $5, $6, $6)`,
        [sid, accountSid, save.friendlyName, save.status, save.status === 'published' ? 1 : null, now],
      );
      await insertRevision(tx, sid, 1, save, now);
    });
    return (await this.get(sid))!;
  }

  /** Saves a new revision; null when the flow does not exist. */
  async update(sid: string, save: FlowSave, now = new Date()): Promise<FlowRecord | null> {
    const updated = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ revision: number }>(
        `UPDATE flows SET revision = revision + 1, friendly_name = $2, status = $3, date_updated = $4,
           published_revision = CASE WHEN $3 = 'published' THEN revision + 1 ELSE published_revision END
         WHERE sid = $1 RETURNING revision`,
        [sid, save.friendlyName, save.status, now],
      );
      if (rows.length === 0) return false;
      await insertRevision(tx, sid, rows[0].revision, save, now);
      return true;
    });
    return updated ? this.get(sid) : null;
  }

  async get(sid: string): Promise<FlowRecord | null> {
    const { rows } = await this.db.query<FlowRow>(`${FLOW_SELECT} WHERE f.sid = $1`, [sid]);
    return rows.length ? toFlow(rows[0]) : null;
  }

  /** Newest first, as Twilio lists flows. */
  async list(accountSid: string, offset: number, limit: number): Promise<FlowRecord[]> {
    const { rows } = await this.db.query<FlowRow>(`${FLOW_SELECT} WHERE f.account_sid = $1 ORDER BY f.date_created DESC, f.sid LIMIT $2 OFFSET $3`, [
      accountSid,
      limit,
      offset,
    ]);
    return rows.map(toFlow);
  }

  async delete(sid: string): Promise<boolean> {
    const { rows } = await this.db.query(`DELETE FROM flows WHERE sid = $1 RETURNING sid`, [sid]);
    return rows.length > 0;
  }

  /** The flow row without its revision (one small read: no join, no definition); null when the flow does not exist. */
  async head(sid: string): Promise<FlowHead | null> {
    const { rows } = await this.db.run<FlowHeadRow>(HEAD, [sid]);
    if (rows.length === 0) return null;
    const row = rows[0];
    return { flowSid: sid, accountSid: row.account_sid, revision: row.revision, publishedRevision: row.published_revision, testUsers: JSON.parse(row.test_users) as string[] };
  }

  /** A revision by number, or the latest published one, or the latest one. */
  async revision(sid: string, which: number | 'LatestPublished' | 'LatestRevision'): Promise<FlowRevisionRecord | null> {
    const head = await this.head(sid);
    return head ? this.revisionOf(head, which) : null;
  }

  /**
   * A revision of a flow whose row was just read (`head`). Records come from a cache shared by every
   * caller: they are frozen, and must be treated as read-only.
   */
  async revisionOf(head: FlowHead, which: number | 'LatestPublished' | 'LatestRevision'): Promise<FlowRevisionRecord | null> {
    const number = which === 'LatestRevision' ? head.revision : which === 'LatestPublished' ? head.publishedRevision : which;
    if (number === null) return null;
    const cached = this.revisionCache.get(head.flowSid, number);
    if (cached) return cached;
    const { rows } = await this.db.run<RevisionRow>(REVISION, [head.flowSid, number]);
    return rows.length ? this.remember(toRevision(rows[0], head)) : null;
  }

  /**
   * A revision that the flow row named a moment ago (a claim read its number there): without reading the
   * flow row again when it is cached. Read-only, as revisionOf's. Null when the flow was deleted since.
   */
  async namedRevision(sid: string, revision: number): Promise<FlowRevisionRecord | null> {
    const cached = this.revisionCache.get(sid, revision);
    if (cached) return cached;
    const { rows } = await this.db.run<RevisionRow & { account_sid: string }>(REVISION_WITH_ACCOUNT, [sid, revision]);
    return rows.length ? this.remember(toRevision(rows[0], { accountSid: rows[0].account_sid })) : null;
  }

  private remember(record: FlowRevisionRecord): FlowRevisionRecord {
    Object.freeze(record.errors);
    Object.freeze(record.warnings);
    this.revisionCache.set(Object.freeze(record));
    return record;
  }

  async revisions(sid: string, offset: number, limit: number): Promise<FlowRevisionRecord[]> {
    const flow = await this.head(sid);
    if (!flow) return [];
    const { rows } = await this.db.query<RevisionRow>(
      `SELECT * FROM flow_revisions WHERE flow_sid = $1 ORDER BY revision DESC LIMIT $2 OFFSET $3`,
      [sid, limit, offset],
    );
    return rows.map((row) => toRevision(row, flow));
  }

  async setTestUsers(sid: string, users: string[]): Promise<boolean> {
    const { rows } = await this.db.query(`UPDATE flows SET test_users = $2 WHERE sid = $1 RETURNING sid`, [sid, JSON.stringify(users)]);
    return rows.length > 0;
  }
}

interface RevisionRow {
  flow_sid: string;
  revision: number;
  friendly_name: string;
  status: FlowStatus;
  definition: string;
  commit_message: string | null;
  valid: boolean;
  errors: string;
  warnings: string;
  date_created: Date;
}

function toRevision(row: RevisionRow, flow: Pick<FlowHead, 'accountSid'>): FlowRevisionRecord {
  return {
    flowSid: row.flow_sid,
    accountSid: flow.accountSid,
    revision: row.revision,
    friendlyName: row.friendly_name,
    status: row.status,
    definition: row.definition,
    commitMessage: row.commit_message,
    valid: row.valid,
    errors: JSON.parse(row.errors) as IssueList[],
    warnings: JSON.parse(row.warnings) as IssueList[],
    dateCreated: new Date(row.date_created),
    dateUpdated: new Date(row.date_created),
  };
}

async function insertRevision(tx: Queryable, sid: string, revision: number, save: FlowSave, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO flow_revisions (flow_sid, revision, friendly_name, status, definition, commit_message, valid, errors, warnings, date_created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [sid, revision, save.friendlyName, save.status, save.definition, save.commitMessage, save.valid, JSON.stringify(save.errors), JSON.stringify(save.warnings), now],
  );
}
