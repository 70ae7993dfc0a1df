// The index of executions: who started what, when, on which revision, and which one is active for a
// contact. Temporal holds each execution's state; this table answers what Temporal's eventually
// consistent visibility can't: "is there an active execution for this contact?" (race-free, by a
// unique index) and "fetch right after create".
import type { Database } from './database';

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

export class ExecutionStore {
  constructor(private readonly db: Database) {}

  /** Records a new active execution unless another is active on the same route (decision 2). */
  async claim(record: Omit<ExecutionRecord, 'active' | 'dateUpdated'>): Promise<ClaimResult> {
    const { rows } = await this.db.query<ExecutionRow>(
      `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_channel_address, channel_address, route_key, active, initiated_by, trigger_type, date_created, date_updated)
       VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $9, $10, $10)
       ON CONFLICT (flow_sid, route_key) WHERE active DO NOTHING RETURNING *`,
      [record.sid, record.accountSid, record.flowSid, record.flowVersion, record.contactChannelAddress, record.channelAddress, record.routeKey, record.initiatedBy, record.triggerType, record.dateCreated],
    );
    if (rows.length > 0) return { claimed: true, record: toRecord(rows[0]) };
    const active = await this.activeOnRoute(record.flowSid, record.routeKey);
    // The active one may have ended between the insert and the read: claim again.
    if (!active) return this.claim(record);
    return { claimed: false, activeSid: active.sid };
  }

  async activeOnRoute(flowSid: string, routeKey: string): Promise<ExecutionRecord | null> {
    const { rows } = await this.db.query<ExecutionRow>(`SELECT * FROM executions WHERE flow_sid = $1 AND route_key = $2 AND active`, [flowSid, routeKey]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Marks an execution ended (seen closed in Temporal, or ended through the API). */
  async markEnded(sid: string, now = new Date()): Promise<void> {
    await this.db.query(`UPDATE executions SET active = FALSE, date_updated = $2 WHERE sid = $1 AND active`, [sid, now]);
  }

  async get(sid: string): Promise<ExecutionRecord | null> {
    const { rows } = await this.db.query<ExecutionRow>(`SELECT * FROM executions WHERE sid = $1`, [sid]);
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

  /** The execution a given message started, if any (a webhook retry must not start a second one). */
  async startedBy(flowSid: string, initiatedBy: string): Promise<ExecutionRecord | null> {
    const { rows } = await this.db.query<ExecutionRow>(`SELECT * FROM executions WHERE flow_sid = $1 AND initiated_by = $2`, [flowSid, initiatedBy]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Remembers that a message was delivered to a running execution (the first delivery wins). */
  async recordDelivery(flowSid: string, messageSid: string, executionSid: string, now = new Date()): Promise<void> {
    await this.db.query(
      `INSERT INTO inbound_deliveries (flow_sid, message_sid, execution_sid, date_created) VALUES ($1, $2, $3, $4) ON CONFLICT (flow_sid, message_sid) DO NOTHING`,
      [flowSid, messageSid, executionSid, now],
    );
  }

  /** The execution a message started or was delivered to, if any: a retried webhook of it must start nothing. */
  async handledBy(flowSid: string, messageSid: string): Promise<string | null> {
    const started = await this.startedBy(flowSid, messageSid);
    if (started) return started.sid;
    const { rows } = await this.db.query<{ execution_sid: string }>(`SELECT execution_sid FROM inbound_deliveries WHERE flow_sid = $1 AND message_sid = $2`, [
      flowSid,
      messageSid,
    ]);
    return rows.length ? rows[0].execution_sid : null;
  }

  async delete(sid: string): Promise<boolean> {
    const { rows } = await this.db.query(`DELETE FROM executions WHERE sid = $1 RETURNING sid`, [sid]);
    return rows.length > 0;
  }
}
