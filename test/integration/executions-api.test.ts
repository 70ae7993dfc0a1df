// The Studio v2 Executions API (issue 6.1), driven by the real twilio client, every response checked
// against Twilio's official OpenAPI schema when ../shared is present.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExecutionStore, pairRouteKey } from '../../api/store/execution-store';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { loadTwilioSchemas } from '../support/openapi';
import { sharedFile } from '../support/paths';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const FLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8'));
const STUDIO_SPEC = sharedFile('twilio-openapi', 'twilio_studio_v2.json');
const schemas = STUDIO_SPEC ? loadTwilioSchemas(STUDIO_SPEC) : null;
const PROXY = '+15005550300';

describe('Executions API', () => {
  let stack: Stack;
  let flowSid: string;

  const raw = async (pathAndQuery: string, init: RequestInit = {}) => {
    const response = await fetch(`${stack.apiUrl}${pathAndQuery}`, {
      ...init,
      headers: { authorization: 'Basic ' + Buffer.from(`${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`).toString('base64'), ...(init.headers ?? {}) },
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> };
  };
  const expectValid = (schemaName: string, body: unknown) => {
    if (schemas) expect(schemas.validate(schemaName, body)).toEqual([]);
  };

  beforeAll(async () => {
    stack = await startStack();
    flowSid = (await stack.twilio.studio.v2.flows.create({ friendlyName: 'Executions', status: 'published', definition: FLOW })).sid;
  });
  afterAll(async () => stack?.stop());

  it('creates an execution that can be fetched at once, in Twilio shape', async () => {
    const created = await raw(`/v2/Flows/${flowSid}/Executions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+15551236001', From: PROXY, Parameters: JSON.stringify({ name: 'Ann', nested: { x: [1, 2] } }) }),
    });
    expect(created.status).toBe(201);
    expectValid('studio.v2.flow.execution', created.body);
    const sid = created.body.sid as string;
    const fetched = await raw(`/v2/Flows/${flowSid}/Executions/${sid}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ sid, flow_sid: flowSid, status: 'active', flow_version: 1, contact_channel_address: '+15551236001', initiated_by: expect.stringMatching(/^RQ/) });
    expect(fetched.body.links).toEqual({ steps: expect.stringContaining(`/Executions/${sid}/Steps`), execution_context: expect.stringContaining(`/Executions/${sid}/Context`) });
    expectValid('studio.v2.flow.execution', fetched.body);
    await waitFor(async () => (await raw(`/v2/Flows/${flowSid}/Executions/${sid}/Context`)).body?.context, 'the context');
    const context = await raw(`/v2/Flows/${flowSid}/Executions/${sid}/Context`);
    expect(context.body.context).toMatchObject({ flow: { data: { name: 'Ann', nested: { x: [1, 2] } } }, contact: { channel: { address: '+15551236001' } } });
    expectValid('studio.v2.flow.execution.execution_context', context.body);
  });

  it('refuses bad input with Twilio errors: bad Parameters JSON, unknown flow, missing To', async () => {
    const post = (flow: string, params: Record<string, string>) =>
      raw(`/v2/Flows/${flow}/Executions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
    expect(await post(flowSid, { To: '+15551236002', From: PROXY, Parameters: '{not json' })).toMatchObject({ status: 400, body: { status: 400 } });
    expect(await post('FW' + '0'.repeat(32), { To: '+15551236002', From: PROXY })).toMatchObject({ status: 404, body: { code: 20404 } });
    expect(await post(flowSid, { From: PROXY })).toMatchObject({ status: 400, body: { message: expect.stringContaining('To') } });
    const list = await stack.twilio.studio.v2.flows(flowSid).executions.list();
    expect(list.some((execution) => execution.contactChannelAddress === '+15551236002')).toBe(false);
  });

  it('gives exactly one 201 for 50 concurrent creates for one contact; the others 409 with the winner', async () => {
    const contact = '+15551236003';
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY, parameters: { name: 'Race' } })),
    );
    const created = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.sid] : []));
    expect(created).toHaveLength(1);
    const winner = created[0];
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ status: 409, code: 20409, details: { conflicting_execution_sid: winner } });
    }
  });

  it('lists newest first with Status and date filters and paging, and ends, refuses to end twice, and deletes', async () => {
    const contacts = ['+15551236011', '+15551236012', '+15551236013'];
    const sids: string[] = [];
    for (const [index, to] of contacts.entries()) sids.push((await stack.twilio.studio.v2.flows(flowSid).executions.create({ to, from: PROXY, parameters: { name: `Contact ${index}` } })).sid);

    const firstPage = await raw(`/v2/Flows/${flowSid}/Executions?PageSize=2`);
    expect((firstPage.body.executions as { sid: string }[]).map((execution) => execution.sid)).toEqual([sids[2], sids[1]]);
    expect(firstPage.body.meta).toMatchObject({ page: 0, page_size: 2, key: 'executions', next_page_url: expect.stringContaining('Page=1') });
    for (const execution of firstPage.body.executions as unknown[]) expectValid('studio.v2.flow.execution', execution);

    const ended = await stack.twilio.studio.v2.flows(flowSid).executions(sids[0]).update({ status: 'ended' });
    expect(ended.status).toBe('ended');
    await expect(stack.twilio.studio.v2.flows(flowSid).executions(sids[0]).update({ status: 'ended' })).rejects.toMatchObject({ status: 409, code: 20409 });
    const endedList = await stack.twilio.studio.v2.flows(flowSid).executions.list({ status: 'ended' } as never);
    expect(endedList.map((execution) => execution.sid)).toContain(sids[0]);
    const activeList = await raw(`/v2/Flows/${flowSid}/Executions?Status=active`);
    expect((activeList.body.executions as { sid: string }[]).map((execution) => execution.sid)).not.toContain(sids[0]);

    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await raw(`/v2/Flows/${flowSid}/Executions?DateCreatedFrom=${encodeURIComponent(future)}`)).body.executions).toEqual([]);
    const upToNow = await raw(`/v2/Flows/${flowSid}/Executions?DateCreatedTo=${encodeURIComponent(future)}&PageSize=100`);
    expect((upToNow.body.executions as unknown[]).length).toBeGreaterThanOrEqual(3);

    expect(await stack.twilio.studio.v2.flows(flowSid).executions(sids[1]).remove()).toBe(true);
    await expect(stack.twilio.studio.v2.flows(flowSid).executions(sids[1]).fetch()).rejects.toMatchObject({ status: 404 });
  });

  it('serves steps and context for running and finished executions alike', async () => {
    const contact = '+15551236021';
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY, parameters: { name: 'Steps' } });
    const phone = device(stack.emulatorUrl);
    await waitFor(async () => (await phone.received(contact)).length === 1, 'the question');
    const running = await raw(`/v2/Flows/${flowSid}/Executions/${execution.sid}/Steps`);
    expect((running.body.steps as { transitioned_to: string }[]).map((step) => step.transitioned_to)).toEqual(['ask', 'start_conversation']);
    for (const step of running.body.steps as unknown[]) expectValid('studio.v2.flow.execution.execution_step', step);

    await phone.send(contact, PROXY, 'fine');
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).fetch()).status === 'ended', 'the end');
    const finished = await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).steps.list();
    expect(finished.map((step) => step.transitionedTo)).toEqual(['Ended', 'thanks', 'ask', 'start_conversation']);
    const context = await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).executionContext().fetch();
    expect(context.context).toMatchObject({ widgets: { ask: { inbound: { Body: 'fine' } } } });
  });

  it('answers 404 for the steps and context of an execution whose workflow Temporal no longer keeps', async () => {
    // An index row whose workflow is gone (past the namespace's retention): claimed two minutes ago, never started.
    const sid = 'FN' + 'e'.repeat(32);
    const claimed = await new ExecutionStore(stack.database).claim({
      sid,
      accountSid: DEFAULT_ACCOUNT_SID,
      flowSid,
      flowVersion: 1,
      contactChannelAddress: '+15551236031',
      channelAddress: PROXY,
      routeKey: pairRouteKey('+15551236031', PROXY),
      initiatedBy: 'RQ' + 'e'.repeat(32),
      triggerType: 'incomingRequest',
      dateCreated: new Date(Date.now() - 120_000),
    });
    expect(claimed.claimed).toBe(true);
    const fetched = await raw(`/v2/Flows/${flowSid}/Executions/${sid}`);
    expect(fetched).toMatchObject({ status: 200, body: { sid, status: 'ended' } });
    for (const part of ['Steps', 'Context', `Steps/FT${'0'.repeat(32)}`]) {
      const answer = await raw(`/v2/Flows/${flowSid}/Executions/${sid}/${part}`);
      expect({ part, status: answer.status, code: answer.body.code }).toEqual({ part, status: 404, code: 20404 });
      expect(answer.body.message).toContain('no longer kept');
    }
  });
});
