// Starting, signalling, reading and ending executions: the one place the API and the gateway talk to
// Temporal. The execution SID is the workflow ID. Routing a contact's message to its execution uses
// the execution index (strongly consistent), never Temporal's eventually consistent visibility.
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { newSid } from '../common/sid';
import type { DeliveryUpdate, ExecutionState, FlowDefinition, InboundMessage, TriggerEvent } from '../workflows/engine/types';
import { CONTACT_HASH, CURRENT_WIDGET, EXECUTION_STATUS, FLOW_REVISION, FLOW_SID } from '../workflows/search-attributes';
import { deliveryUpdateSignal, executionStateQuery, inboundMessageSignal, type studioExecution } from '../workflows/studio-execution';
import type { ApiMetrics } from './metrics';
import type { ExecutionRecord, ExecutionStore, RevisionChoice, TriggerType } from './store/execution-store';
import type { FlowRevisionRecord, FlowStore } from './store/flow-store';

export interface StartRequest {
  revision: FlowRevisionRecord;
  trigger: TriggerEvent;
  contactAddress: string;
  channelAddress: string;
  routeKey: string;
  initiatedBy: string;
}

export type StartResult = { started: true; execution: ExecutionRecord } | { started: false; activeSid: string };

/** A start of whichever revision the flow names for this contact at this moment (REST trigger, a message to the flow). */
export interface FlowStartRequest extends Omit<StartRequest, 'revision'> {
  flowSid: string;
  revisionChoice: RevisionChoice;
}

/** As StartResult; or nothing started because the flow does not exist, or has no revision to run. */
export type FlowStartResult = StartResult | { started: false; missing: 'flow' | 'revision' };

/** Index rows read per query, and describes in flight, while reconciling a flow (reconcileFlow). */
const RECONCILE_PAGE = 1000;
const RECONCILE_CONCURRENCY = 20;

/**
 * How long a claimed execution that Temporal does not know yet still holds its route. Between the claim
 * in the index and the workflow start (milliseconds, on whichever API instance claimed) "not found" means
 * "starting", not "ended"; a claim whose start never came (its instance died in between) stops blocking
 * the contact after this.
 */
const START_GRACE_MS = 60_000;

/**
 * Each revision's definition, parsed once: revision records are immutable and the flow store hands out
 * the same record for every start of a revision while it is cached. The parsed object is shared between
 * starts, which only serialize it.
 */
const parsedDefinitions = new WeakMap<FlowRevisionRecord, FlowDefinition>();

function definitionOf(revision: FlowRevisionRecord): FlowDefinition {
  let definition = parsedDefinitions.get(revision);
  if (!definition) {
    definition = JSON.parse(revision.definition) as FlowDefinition;
    parsedDefinitions.set(revision, definition);
  }
  return definition;
}

/** A contact address never appears in clear in search attributes: a short, stable hash does. */
export function contactHash(address: string): string {
  return createHash('sha256').update(address).digest('hex').slice(0, 16);
}

/** Where the service reports starts and ends (logs carry the execution SID; counters go to /metrics). */
export interface ExecutionTelemetry {
  log?: Logger;
  metrics?: Pick<ApiMetrics, 'executionsStarted'>;
}

export class ExecutionService {
  constructor(
    private readonly config: Config,
    private readonly temporal: Client,
    private readonly executions: ExecutionStore,
    private readonly flows: FlowStore,
    private readonly telemetry: ExecutionTelemetry = {},
  ) {}

  handle(sid: string): WorkflowHandle<typeof studioExecution> {
    return this.temporal.workflow.getHandle<typeof studioExecution>(sid);
  }

  /**
   * Starts an execution of the revision the flow names for this contact now (request.revisionChoice). The
   * common case (the flow has that revision and the route is free) costs one statement: the claim reads the
   * revision number in the flow row as it inserts, and the revision itself usually comes from the flow
   * store's cache. Anything else takes the slow path, which tells the missing flow, the missing revision
   * and the taken route apart.
   */
  async startFlow(request: FlowStartRequest): Promise<FlowStartResult> {
    const record = await this.executions.claimOnFlow(this.newIndexRecord(request.flowSid, request), request.revisionChoice);
    if (record) {
      const revision = await this.flows.namedRevision(record.flowSid, record.flowVersion);
      if (revision) return this.launch(record, revision, request);
      await this.executions.markEnded(record.sid); // the flow was deleted between the claim and the read
      return { started: false, missing: 'flow' };
    }
    const head = await this.flows.head(request.flowSid);
    if (!head) return { started: false, missing: 'flow' };
    const testUser = request.revisionChoice === 'latest-for-test-users' && head.testUsers.includes(request.contactAddress);
    const revision = await this.flows.revisionOf(head, testUser ? 'LatestRevision' : 'LatestPublished');
    if (!revision) return { started: false, missing: 'revision' };
    return this.start({ ...request, revision });
  }

  /** The index row of a new execution (its revision number aside), with a fresh SID. */
  private newIndexRecord(flowSid: string, request: Omit<StartRequest, 'revision'>): Omit<ExecutionRecord, 'active' | 'dateUpdated' | 'flowVersion'> {
    return {
      sid: newSid('FN'),
      accountSid: this.config.accountSid,
      flowSid,
      contactChannelAddress: request.contactAddress,
      channelAddress: request.channelAddress,
      routeKey: request.routeKey,
      initiatedBy: request.initiatedBy,
      triggerType: request.trigger.type as TriggerType,
      dateCreated: new Date(),
    };
  }

  /** Claims the contact's route and starts the workflow; a second active execution is refused. */
  async start(request: StartRequest): Promise<StartResult> {
    const { revision } = request;
    const claim = await this.executions.claim({ ...this.newIndexRecord(revision.flowSid, request), flowVersion: revision.revision });
    if (!claim.claimed) {
      // The route's holder may have ended without us noticing (the index is updated lazily), or be starting.
      const holder = await this.executions.get(claim.activeSid);
      if (holder && (await this.holdsRoute(holder))) return { started: false, activeSid: claim.activeSid };
      await this.executions.markEnded(claim.activeSid);
      return this.start(request);
    }
    return this.launch(claim.record, revision, request);
  }

  /** Starts the workflow of an execution whose route was just claimed (`record`); the claim is released if the start fails. */
  private async launch(record: ExecutionRecord, revision: FlowRevisionRecord, request: Omit<StartRequest, 'revision'>): Promise<StartResult> {
    const sid = record.sid;
    const hashedContact = contactHash(request.contactAddress);
    try {
      await this.temporal.workflow.start('studioExecution', {
        workflowId: sid,
        taskQueue: this.config.taskQueue,
        args: [
          {
            accountSid: this.config.accountSid,
            executionSid: sid,
            flowSid: revision.flowSid,
            flowRevision: revision.revision,
            definition: definitionOf(revision),
            trigger: request.trigger,
            dateCreated: record.dateCreated.toISOString(),
          },
        ],
        typedSearchAttributes: [
          { key: FLOW_SID, value: revision.flowSid },
          { key: FLOW_REVISION, value: revision.revision },
          { key: EXECUTION_STATUS, value: 'active' },
          { key: CURRENT_WIDGET, value: 'Trigger' },
          { key: CONTACT_HASH, value: hashedContact },
        ],
        staticSummary: `Studio flow ${revision.friendlyName} (${revision.flowSid}) revision ${revision.revision}`,
        staticDetails: `**Flow** ${revision.friendlyName}\n\n**Flow SID** ${revision.flowSid}\n\n**Revision** ${revision.revision}\n\n**Trigger** ${request.trigger.type}`,
      });
    } catch (error) {
      await this.executions.markEnded(sid);
      throw error;
    }
    this.telemetry.metrics?.executionsStarted.inc({ trigger: request.trigger.type });
    this.telemetry.log?.info(
      { executionSid: sid, flowSid: revision.flowSid, flowRevision: revision.revision, trigger: request.trigger.type, contactHash: hashedContact },
      'execution started',
    );
    return { started: true, execution: record };
  }

  /** True while the workflow runs; a closed or unknown workflow is not running. */
  async isRunning(sid: string): Promise<boolean> {
    try {
      const description = await this.handle(sid).describe();
      return description.status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /** Whether an execution still holds its route: its workflow runs, or it was claimed so recently that its start may be on its way. */
  private async holdsRoute(record: ExecutionRecord): Promise<boolean> {
    try {
      return (await this.handle(record.sid).describe()).status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return Date.now() - record.dateCreated.getTime() < START_GRACE_MS;
      throw error;
    }
  }

  /** Brings the index's `active` flag in line with Temporal (strongly consistent describe). */
  async refresh(record: ExecutionRecord): Promise<ExecutionRecord> {
    if (!record.active || (await this.holdsRoute(record))) return record;
    await this.executions.markEnded(record.sid);
    return { ...record, active: false, dateUpdated: new Date() };
  }

  /**
   * Brings the index's `active` flags of one flow in line with Temporal before a list filtered by status: an
   * execution that ended by itself stays active in the index until something looks at it. Visibility names
   * the flow's running workflows in bulk; each execution the index holds active and visibility does not name
   * is confirmed by a strongly consistent describe (visibility lags behind starts and ends).
   */
  async reconcileFlow(flowSid: string): Promise<void> {
    if (!/^FW[0-9a-fA-F]{32}$/.test(flowSid)) return; // nothing is indexed under it; and it goes into a query
    const indexedActive: ExecutionRecord[] = [];
    for (;;) {
      const page = await this.executions.list(flowSid, { active: true }, indexedActive.length, RECONCILE_PAGE);
      indexedActive.push(...page);
      if (page.length < RECONCILE_PAGE) break;
    }
    if (indexedActive.length === 0) return;
    const running = new Set<string>();
    for await (const workflow of this.temporal.workflow.list({ query: `${FLOW_SID.name} = '${flowSid}' AND ExecutionStatus = 'Running'` })) {
      running.add(workflow.workflowId);
    }
    const suspects = indexedActive.filter((record) => !running.has(record.sid));
    for (let i = 0; i < suspects.length; i += RECONCILE_CONCURRENCY) {
      await Promise.all(suspects.slice(i, i + RECONCILE_CONCURRENCY).map((record) => this.refresh(record)));
    }
  }

  /** Delivers a message to a running execution; false when it has ended (nothing was delivered). */
  async signalInbound(sid: string, message: InboundMessage): Promise<boolean> {
    return this.signal(sid, () => this.handle(sid).signal(inboundMessageSignal, message));
  }

  async signalDelivery(sid: string, update: DeliveryUpdate): Promise<boolean> {
    return this.signal(sid, () => this.handle(sid).signal(deliveryUpdateSignal, update));
  }

  private async signal(sid: string, send: () => Promise<void>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        const record = await this.executions.get(sid);
        if (!record || !(await this.holdsRoute(record))) await this.executions.markEnded(sid);
        return false;
      }
      throw error;
    }
  }

  /** The execution's state: from the result once it ended (no worker needed), by query while it runs. */
  async state(sid: string): Promise<ExecutionState> {
    const handle = this.handle(sid);
    const description = await handle.describe();
    if (description.status.name === 'COMPLETED') return handle.result();
    return handle.query(executionStateQuery);
  }

  /** Ends an execution (REST `Status=ended`): a cancellation, so the workflow's teardown runs. */
  async end(sid: string): Promise<void> {
    await this.handle(sid).cancel();
    await this.executions.markEnded(sid);
    this.telemetry.log?.info({ executionSid: sid }, 'execution end requested through the API');
  }
}
