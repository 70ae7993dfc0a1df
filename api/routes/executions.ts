// Studio v2 Executions: create (REST trigger), list, fetch, end (Status=ended), delete, Context, Steps
// (list, fetch, and each step's Context).
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router, type Request } from 'express';
import type { Config } from '../../common/config';
import { newSid } from '../../common/sid';
import type { ExecutionState, ExecutionStep, JsonObject } from '../../workflows/engine/types';
import { MAX_JSON_NESTING, nestedDeeperThan } from '../../workflows/engine/validate';
import type { ExecutionService } from '../execution-service';
import { executionJson, pageJson, twilioDate } from '../serialize';
import { pairRouteKey, type ExecutionRecord, type ExecutionStore } from '../store/execution-store';
import { badRequest, missingParameter, notFound, TwilioApiError } from '../twilio-error';
import { baseUrl, formParam, paging, queryParam } from './request';

const MAX_ADDRESSES_BYTES = 300; // Studio error 81023: To + From together

function parseParameters(text: string | undefined): JsonObject {
  if (text === undefined || text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('Parameters must be a valid JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('Parameters must be a valid JSON object');
  if (nestedDeeperThan(value, MAX_JSON_NESTING)) throw badRequest(`Parameters must not nest more than ${MAX_JSON_NESTING} levels deep`);
  return value as JsonObject;
}

function parseDate(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw badRequest(`${name} must be an ISO 8601 date`);
  return date;
}

export function executionsRouter(config: Config, executions: ExecutionStore, service: ExecutionService): Router {
  const router = Router();

  /** The execution of this flow, refreshed against Temporal; 404 otherwise. */
  async function load(req: Request): Promise<ExecutionRecord> {
    const record = await executions.get(req.params.executionSid as string);
    if (!record || record.flowSid !== req.params.flowSid) throw notFound(`/Flows/${req.params.flowSid}/Executions/${req.params.executionSid}`);
    return service.refresh(record);
  }

  /**
   * The execution's steps and context live in its workflow. A workflow past the namespace's retention is
   * gone from Temporal while the index may still list the execution: its data is no longer kept (404).
   */
  async function stateOf(record: ExecutionRecord): Promise<ExecutionState> {
    try {
      return await service.state(record.sid);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notFound(`/Flows/${record.flowSid}/Executions/${record.sid} (its steps and context are no longer kept)`);
      throw error;
    }
  }

  router.post('/v2/Flows/:flowSid/Executions', async (req, res) => {
    const to = formParam(req, 'To');
    const from = formParam(req, 'From');
    if (!to) throw missingParameter('To');
    if (!from) throw missingParameter('From');
    if (Buffer.byteLength(to + from) > MAX_ADDRESSES_BYTES) throw new TwilioApiError(400, 81023, 'To and From together must not exceed 300 bytes');
    const parameters = parseParameters(formParam(req, 'Parameters'));
    const flowSid = req.params.flowSid as string;
    const requestSid = newSid('RQ');
    const result = await service.startFlow({
      flowSid,
      // Test users run the latest revision (draft or not); everyone else the published one.
      revisionChoice: 'latest-for-test-users',
      trigger: { type: 'incomingRequest', to, from, parameters, requestSid },
      contactAddress: to,
      channelAddress: from,
      routeKey: pairRouteKey(to, from),
      initiatedBy: requestSid,
    });
    if ('missing' in result) {
      if (result.missing === 'flow') throw notFound(`/Flows/${flowSid}`);
      throw badRequest(`Flow ${flowSid} has no published revision`);
    }
    if (!result.started) {
      throw new TwilioApiError(
        409,
        20409,
        `Execution ${result.activeSid} is already active for this contact. End the active Execution before creating a new one`,
        { conflicting_execution_sid: result.activeSid },
      );
    }
    res.status(201).json(executionJson(result.execution, baseUrl(req)));
  });

  router.get('/v2/Flows/:flowSid/Executions', async (req, res) => {
    const { page, pageSize } = paging(req);
    // Twilio's spec (and so the twilio client) names the filter `status`; `Status` is accepted as well.
    const status = queryParam(req, 'status') ?? queryParam(req, 'Status');
    if (status !== undefined && status !== 'active' && status !== 'ended') throw badRequest('Status must be active or ended');
    const filter = {
      active: status === undefined ? undefined : status === 'active',
      dateCreatedFrom: parseDate(queryParam(req, 'DateCreatedFrom'), 'DateCreatedFrom'),
      dateCreatedTo: parseDate(queryParam(req, 'DateCreatedTo'), 'DateCreatedTo'),
    };
    // The index learns lazily that an execution ended by itself; a status filter must not see it as active.
    if (filter.active !== undefined) await service.reconcileFlow(req.params.flowSid);
    const items = await executions.list(req.params.flowSid, filter, page * pageSize, pageSize + 1);
    const shown = await Promise.all(items.slice(0, pageSize).map((record) => service.refresh(record)));
    // The page URLs keep the filters: the twilio client follows next_page_url as it is.
    const filterQuery = ['status', 'DateCreatedFrom', 'DateCreatedTo']
      .map((name) => [name, name === 'status' ? status : queryParam(req, name)])
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `&${name}=${encodeURIComponent(value!)}`)
      .join('');
    const listUrl = `${baseUrl(req)}/v2/Flows/${req.params.flowSid}/Executions`;
    res.json(pageJson('executions', shown.map((record) => executionJson(record, baseUrl(req))), listUrl, page, pageSize, items.length > pageSize, filterQuery));
  });

  router.get('/v2/Flows/:flowSid/Executions/:executionSid', async (req, res) => {
    res.json(executionJson(await load(req), baseUrl(req)));
  });

  router.post('/v2/Flows/:flowSid/Executions/:executionSid', async (req, res) => {
    const status = formParam(req, 'Status');
    if (status !== 'ended') throw badRequest('Status must be ended');
    const record = await load(req);
    if (!record.active) throw new TwilioApiError(409, 20409, `Execution ${record.sid} has already ended`);
    await service.end(record.sid);
    res.json(executionJson({ ...record, active: false, dateUpdated: new Date() }, baseUrl(req)));
  });

  router.delete('/v2/Flows/:flowSid/Executions/:executionSid', async (req, res) => {
    const record = await load(req);
    if (record.active) await service.end(record.sid);
    await executions.delete(record.sid);
    res.status(204).end();
  });

  router.get('/v2/Flows/:flowSid/Executions/:executionSid/Context', async (req, res) => {
    const record = await load(req);
    const state = await stateOf(record);
    res.json({
      account_sid: record.accountSid,
      context: state.context,
      flow_sid: record.flowSid,
      execution_sid: record.sid,
      url: `${baseUrl(req)}/v2/Flows/${record.flowSid}/Executions/${record.sid}/Context`,
    });
  });

  router.get('/v2/Flows/:flowSid/Executions/:executionSid/Steps', async (req, res) => {
    const record = await load(req);
    const { page, pageSize } = paging(req);
    const state = await stateOf(record);
    const stepsUrl = `${baseUrl(req)}/v2/Flows/${record.flowSid}/Executions/${record.sid}/Steps`;
    // Studio lists steps newest first.
    const newestFirst = [...state.steps].reverse();
    const shown = newestFirst.slice(page * pageSize, (page + 1) * pageSize).map((step) => stepJson(record, step, stepsUrl));
    res.json(pageJson('steps', shown, stepsUrl, page, pageSize, newestFirst.length > (page + 1) * pageSize));
  });

  /** One step of the execution, or 404 (the steps live in the workflow's state, not in the index). */
  async function loadStep(req: Request): Promise<{ record: ExecutionRecord; step: ExecutionStep; stepsUrl: string }> {
    const record = await load(req);
    const state = await stateOf(record);
    const step = state.steps.find((candidate) => candidate.sid === req.params.stepSid);
    const stepsUrl = `${baseUrl(req)}/v2/Flows/${record.flowSid}/Executions/${record.sid}/Steps`;
    if (!step) throw notFound(`/Flows/${record.flowSid}/Executions/${record.sid}/Steps/${req.params.stepSid}`);
    return { record, step, stepsUrl };
  }

  router.get('/v2/Flows/:flowSid/Executions/:executionSid/Steps/:stepSid', async (req, res) => {
    const { record, step, stepsUrl } = await loadStep(req);
    res.json(stepJson(record, step, stepsUrl));
  });

  // Studio's ExecutionStepContext: what the step wrote, with the SIDs that locate it.
  router.get('/v2/Flows/:flowSid/Executions/:executionSid/Steps/:stepSid/Context', async (req, res) => {
    const { record, step, stepsUrl } = await loadStep(req);
    res.json({
      account_sid: record.accountSid,
      context: step.context,
      execution_sid: record.sid,
      flow_sid: record.flowSid,
      step_sid: step.sid,
      url: `${stepsUrl}/${step.sid}/Context`,
    });
  });

  return router;
}

/** Studio's ExecutionStep JSON (list and fetch). */
function stepJson(record: ExecutionRecord, step: ExecutionStep, stepsUrl: string) {
  return {
    sid: step.sid,
    account_sid: record.accountSid,
    flow_sid: record.flowSid,
    execution_sid: record.sid,
    parent_step_sid: step.parent_step_sid,
    name: step.name,
    context: step.context,
    transitioned_from: step.transitioned_from,
    transitioned_to: step.transitioned_to,
    type: step.type,
    date_created: twilioDate(new Date(step.date_created)),
    date_updated: twilioDate(new Date(step.date_created)),
    url: `${stepsUrl}/${step.sid}`,
    links: { step_context: `${stepsUrl}/${step.sid}/Context` },
  };
}
