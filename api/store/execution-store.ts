// The index of executions: who started what, when, on which revision, and which one is active for a
// contact. Temporal holds each execution's state; this table answers what Temporal's eventually
// consistent visibility can't: "is there an active execution for this contact?" (race-free, by a
// unique index) and "fetch right after create".
import { preparedStatement, type Database } from './database';

export type TriggerType = 'incomingRequest' | 'incomingMessage' | 'incomingConversationMessage';

export interface ExecutionRecord {
  sid: string;
  accountSid: string;
  flowSid: string;
  flowVersion: number;
  contactChannelAddress: string;
  channelAddress: string;
  /** What identifies the contact's conversation with the flow: `pair:<contact>|<channel>` or `conversation:<CH…>`. */
  routeKey: string;
  active: boolean;
  initiatedBy: string;
  triggerType: TriggerType;
  dateCreated: Date;
  dateUpdated: Date;
}

interface ExecutionRow {
  sid: string;
  account_sid: string;
  flow_sid: string;
  flow_version: number;
  contact_channel_address: string;
  channel_address: string;
  route_key: string;
  active: boolean;
  initiated_by: string;
  trigger_type: TriggerType;
  date_created: Date;
  date_updated: Date;
}

function toRecord(row: ExecutionRow): ExecutionRecord {
  return {
    sid: row.sid,
    accountSid: row.account_sid,
    flowSid: row.flow_sid,
    flowVersion: row.flow_version,
    contactChannelAddress: row.contact_channel_address,
    channelAddress: row.channel_address,
    routeKey: row.route_key,
    active: row.active,
    initiatedBy: row.initiated_by,
    triggerType: row.trigger_type,
    dateCreated: new Date(row.date_created),
    dateUpdated: new Date(row.date_updated),
  };
}

export function pairRouteKey(contactAddress: string, channelAddress: string): string {
  return `pair:${contactAddress}|${channelAddress}`;
}

export function conversationRouteKey(conversationSid: string): string {
  return `conversation:${conversationSid}`;
}

export type ClaimResult = { claimed: true; record: ExecutionRecord } | { claimed: false; activeSid: string };

/** Which revision of a flow a new execution runs: the published one; or for the flow's test users the latest (draft or not), for everyone else the published one. */
export type RevisionChoice = 'published' | 'latest-for-test-users';

const INSERT_COLUMNS = `(sid, account_sid, flow_sid, flow_version, contact_channel_address, channel_address, route_key, active, initiated_by, trigger_type, date_created, date_updated)`;

// The statements of the hot paths (starts, replies, status reads), as prepared statements (database.ts).
// RETURNING only what the caller lacks: the row is what was just written, and reading it back costs more than the insert.
const CLAIM = preparedStatement(
  'executions_claim',
  `INSERT INTO executions ${INSERT_COLUMNS}
   VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $9, $10, $10)
   ON CONFLICT (flow_sid, route_key) WHERE active DO NOTHING RETURNING sid`,
);
const CLAIM_ON_FLOW = preparedStatement(
  'executions_claim_on_flow',
  `INSERT INTO executions ${INSERT_COLUMNS}
   SELECT $1, $2, f.sid, run.revision, $4, $5, $6, TRUE, $7, $8, $9, $9
   FROM flows f CROSS JOIN LATERAL (
     SELECT CASE WHEN $10 AND f.test_users::jsonb ? $4 THEN f.revision ELSE f.published_revision END AS revision
   ) AS run
   WHERE f.sid = $3 AND run.revision IS NOT NULL
   ON CONFLICT (flow_sid, route_key) WHERE active DO NOTHING RETURNING flow_version`,
);
const ACTIVE_ON_ROUTE = preparedStatement('executions_active_on_route', `SELECT sid FROM executions WHERE flow_sid = $1 AND route_key = $2 AND active`);
const MARK_ENDED = preparedStatement('executions_mark_ended', `UPDATE executions SET active = FALSE, date_updated = $2 WHERE sid = $1 AND active`);
const GET = preparedStatement('executions_get', `SELECT * FROM executions WHERE sid = $1`);
const RECORD_DELIVERY = preparedStatement(
  'inbound_deliveries_record',
  `INSERT INTO inbound_deliveries (flow_sid, message_sid, execution_sid, date_created) VALUES ($1, $2, $3, $4) ON CONFLICT (flow_sid, message_sid) DO NOTHING`,
);
// One round trip for both tables; the execution the message started wins over one it was delivered to.
const HANDLED_BY = preparedStatement(
  'executions_handled_by',
  `SELECT execution_sid FROM (
     SELECT sid AS execution_sid, 0 AS precedence FROM executions WHERE flow_sid = $1 AND initiated_by = $2
     UNION ALL
     SELECT execution_sid, 1 AS precedence FROM inbound_deliveries WHERE flow_sid = $1 AND message_sid = $2
   ) AS handled ORDER BY precedence LIMIT 1`,
);

export class ExecutionStore {
  constructor(private readonly db: Database) {}

  /** Records a new active execution unless another is active on the same route (decision 2). */
  async claim(record: Omit<ExecutionRecord, 'active' | 'dateUpdated'>): Promise<ClaimResult> {
    const { rows } = await this.db.run<{ sid: string }>(CLAIM, [
      record.sid,
      record.accountSid,
      record.flowSid,
      record.flowVersion,
      record.contactChannelAddress,
      record.channelAddress,
      record.routeKey,
      record.initiatedBy,
      record.triggerType,
      record.dateCreated,
    ]);
    if (rows.length > 0) return { claimed: true, record: { ...record, active: true, dateUpdated: new Date(record.dateCreated.getTime()) } };
    const activeSid = await this.activeSidOnRoute(record.flowSid, record.routeKey);
    // The active one may have ended between the insert and the read: claim again.
    if (!activeSid) return this.claim(record);
    return { claimed: false, activeSid };
  }

  /**
   * Claims the route for an execution of the revision the flow row names now (`choice`), read in the same
   * statement: a start's one round trip to the database. Claims nothing, and answers null, when the flow does
   * not exist, has no such revision, or another execution holds the route; the caller finds out which the
   * slow way (claim).
   */
  async claimOnFlow(record: Omit<ExecutionRecord, 'active' | 'dateUpdated' | 'flowVersion'>, choice: RevisionChoice): Promise<ExecutionRecord | null> {
    const { rows } = await this.db.run<{ flow_version: number }>(CLAIM_ON_FLOW, [
      record.sid,
      record.accountSid,
      record.flowSid,
      record.contactChannelAddress,
      record.channelAddress,
      record.routeKey,
      record.initiatedBy,
      record.triggerType,
      record.dateCreated,
      choice === 'latest-for-test-users',
    ]);
    if (rows.length === 0) return null;
    return { ...record, flowVersion: rows[0].flow_version, active: true, dateUpdated: new Date(record.dateCreated.getTime()) };
  }

  /** The SID of the execution active on a route, if any. */
  async activeSidOnRoute(flowSid: string, routeKey: string): Promise<string | null> {
    const { rows } = await this.db.run<{ sid: string }>(ACTIVE_ON_ROUTE, [flowSid, routeKey]);
    return rows.length ? rows[0].sid : null;
  }

  /** Marks an execution ended (seen closed in Temporal, or ended through the API). */
  async markEnded(sid: string, now = new Date()): Promise<void> {
    await this.db.run(MARK_ENDED, [sid, now]);
  }

  async get(sid: string): Promise<ExecutionRecord | null> {
    const { rows } = await this.db.run<ExecutionRow>(GET, [sid]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async list(
    flowSid: string,
    filter: { active?: boolean; dateCreatedFrom?: Date; dateCreatedTo?: Date },
    offset: number,
    limit: number,
  ): Promise<ExecutionRecord[]> {
    const conditions = ['flow_sid = $1'];
    const params: unknown[] = [flowSid];
    if (filter.active !== undefined) conditions.push(`active = $${params.push(filter.active)}`);
    if (filter.dateCreatedFrom) conditions.push(`date_created >= $${params.push(filter.dateCreatedFrom)}`);
    if (filter.dateCreatedTo) conditions.push(`date_created < $${params.push(filter.dateCreatedTo)}`);
    const { rows } = await this.db.query<ExecutionRow>(
      `SELECT * FROM executions WHERE ${conditions.join(' AND ')} ORDER BY date_created DESC, sid DESC LIMIT $${params.push(limit)} OFFSET $${params.push(offset)}`,
      params,
    );
    return rows.map(toRecord);
  }

  /** Remembers that a message was delivered to a running execution (the first delivery wins). */
  async recordDelivery(flowSid: string, messageSid: string, executionSid: string, now = new Date()): Promise<void> {
    await this.db.run(RECORD_DELIVERY, [flowSid, messageSid, executionSid, now]);
  }

  /** The execution a message started or was delivered to, if any: a retried webhook of it must start nothing. */
  async handledBy(flowSid: string, messageSid: string): Promise<string | null> {
    const { rows } = await this.db.run<{ execution_sid: string }>(HANDLED_BY, [flowSid, messageSid]);
    return rows.length ? rows[0].execution_sid : null;
  }

  /**
   * Forgets executions that started before `startedBefore`, and deliveries recorded before it (Studio keeps
   * an execution's data for 30 days after it starts: api/retention.ts). An index row still marked active is
   * kept one day longer: the flag is cleared lazily, and no execution outlives its 30-day lifetime.
   */
  async prune(startedBefore: Date): Promise<{ executions: number; deliveries: number }> {
    const activeBefore = new Date(startedBefore.getTime() - 24 * 3600 * 1000);
    const executions = await this.db.query(`DELETE FROM executions WHERE date_created < $1 AND (NOT active OR date_created < $2) RETURNING sid`, [
      startedBefore,
      activeBefore,
    ]);
    const deliveries = await this.db.query(`DELETE FROM inbound_deliveries WHERE date_created < $1 RETURNING message_sid`, [startedBefore]);
    return { executions: executions.rows.length, deliveries: deliveries.rows.length };
  }

  async delete(sid: string): Promise<boolean> {
    const { rows } = await this.db.query(`DELETE FROM executions WHERE sid = $1 RETURNING sid`, [sid]);
    return rows.length > 0;
  }
}
