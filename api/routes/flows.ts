// Studio v2 Flows: create, list, fetch, update (a new revision each save), delete, revisions,
// Validate and TestUsers — form-encoded like Twilio's, with Twilio's errors.
import { Router, type Request } from 'express';
import { flowWebhookUrl, type Config } from '../../common/config';
import { newSid } from '../../common/sid';
import { parseDefinition, validateDefinition } from '../../workflows/engine/validate';
import { flowJson, pageJson, revisionJson } from '../serialize';
import type { FlowSave, FlowStatus, FlowStore } from '../store/flow-store';
import { badRequest, missingParameter, notFound, TwilioApiError } from '../twilio-error';
import { baseUrl, formParam, paging } from './request';

const FLOW_VALIDATION_FAILED = 81022;

/** Parses and validates the definition of a create/update/Validate request; throws Twilio's errors. */
function checkedSave(req: Request, required: { friendlyName: boolean; definition: boolean }, current?: FlowSave): FlowSave {
  const friendlyName = formParam(req, 'FriendlyName') ?? current?.friendlyName;
  const status = formParam(req, 'Status');
  const definitionText = formParam(req, 'Definition') ?? current?.definition;
  if (required.friendlyName && friendlyName === undefined) throw missingParameter('FriendlyName');
  if (status === undefined) throw missingParameter('Status');
  if (status !== 'draft' && status !== 'published') throw badRequest(`Status must be one of draft, published (got "${status}")`);
  if (definitionText === undefined) throw missingParameter('Definition');
  const parsed = parseDefinition(definitionText);
  if (!parsed.ok) throw new TwilioApiError(400, FLOW_VALIDATION_FAILED, `Invalid flow definition: ${parsed.message}`, { errors: [{ message: parsed.message, property_path: '#' }] });
  const result = validateDefinition(parsed.definition);
  if (!result.valid) {
    throw new TwilioApiError(400, FLOW_VALIDATION_FAILED, 'Flow definition validation failed', { errors: result.errors });
  }
  return {
    friendlyName: friendlyName ?? '',
    status: status as FlowStatus,
    definition: definitionText,
    commitMessage: formParam(req, 'CommitMessage') ?? null,
    valid: true,
    errors: [],
    warnings: result.warnings,
  };
}

export function flowsRouter(config: Config, flows: FlowStore): Router {
  const router = Router();
  const webhook = (sid: string) => flowWebhookUrl(config, sid);

  router.post('/v2/Flows/Validate', (req, res) => {
    checkedSave(req, { friendlyName: true, definition: true });
    res.status(200).json({ valid: true });
  });

  router.post('/v2/Flows', async (req, res) => {
    const save = checkedSave(req, { friendlyName: true, definition: true });
    const flow = await flows.create(newSid('FW'), config.accountSid, save);
    res.status(201).json(flowJson(flow, baseUrl(req), webhook(flow.flowSid)));
  });

  router.get('/v2/Flows', async (req, res) => {
    const { page, pageSize } = paging(req);
    const items = await flows.list(config.accountSid, page * pageSize, pageSize + 1);
    const shown = items.slice(0, pageSize).map((flow) => flowJson(flow, baseUrl(req), webhook(flow.flowSid), false));
    res.json(pageJson('flows', shown, `${baseUrl(req)}/v2/Flows`, page, pageSize, items.length > pageSize));
  });

  router.get('/v2/Flows/:sid', async (req, res) => {
    const flow = await flows.get(req.params.sid);
    if (!flow) throw notFound(`/Flows/${req.params.sid}`);
    res.json(flowJson(flow, baseUrl(req), webhook(flow.flowSid)));
  });

  router.post('/v2/Flows/:sid', async (req, res) => {
    const current = await flows.get(req.params.sid);
    if (!current) throw notFound(`/Flows/${req.params.sid}`);
    const save = checkedSave(req, { friendlyName: false, definition: false }, current);
    const flow = await flows.update(current.flowSid, save);
    if (!flow) throw notFound(`/Flows/${req.params.sid}`);
    res.json(flowJson(flow, baseUrl(req), webhook(flow.flowSid)));
  });

  router.delete('/v2/Flows/:sid', async (req, res) => {
    if (!(await flows.delete(req.params.sid))) throw notFound(`/Flows/${req.params.sid}`);
    res.status(204).end();
  });

  router.get('/v2/Flows/:sid/Revisions', async (req, res) => {
    if (!(await flows.get(req.params.sid))) throw notFound(`/Flows/${req.params.sid}`);
    const { page, pageSize } = paging(req);
    const items = await flows.revisions(req.params.sid, page * pageSize, pageSize + 1);
    const shown = items.slice(0, pageSize).map((revision) => revisionJson(revision, baseUrl(req), false));
    res.json(pageJson('revisions', shown, `${baseUrl(req)}/v2/Flows/${req.params.sid}/Revisions`, page, pageSize, items.length > pageSize));
  });

  router.get('/v2/Flows/:sid/Revisions/:revision', async (req, res) => {
    const which = req.params.revision;
    const selector = which === 'LatestPublished' || which === 'LatestRevision' ? which : /^\d+$/.test(which) ? Number(which) : null;
    if (selector === null) throw new TwilioApiError(400, 81021, `Invalid revision ${which}: use a number, LatestPublished or LatestRevision`);
    const revision = await flows.revision(req.params.sid, selector);
    if (!revision) throw notFound(`/Flows/${req.params.sid}/Revisions/${which}`);
    res.json(revisionJson(revision, baseUrl(req)));
  });

  router.get('/v2/Flows/:sid/TestUsers', async (req, res) => {
    const flow = await flows.get(req.params.sid);
    if (!flow) throw notFound(`/Flows/${req.params.sid}`);
    res.json({ sid: flow.flowSid, test_users: flow.testUsers, url: `${baseUrl(req)}/v2/Flows/${flow.flowSid}/TestUsers` });
  });

  router.post('/v2/Flows/:sid/TestUsers', async (req, res) => {
    const raw = req.body?.TestUsers as string | string[] | undefined;
    if (raw === undefined) throw missingParameter('TestUsers');
    const users = Array.isArray(raw) ? raw : [raw];
    if (!(await flows.setTestUsers(req.params.sid, users))) throw notFound(`/Flows/${req.params.sid}`);
    res.json({ sid: req.params.sid, test_users: users, url: `${baseUrl(req)}/v2/Flows/${req.params.sid}/TestUsers` });
  });

  return router;
}
