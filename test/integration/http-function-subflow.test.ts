// Make HTTP Request, Run Function and Run Subflow on the real stack: a REST-triggered flow looks the
// contact up on a local HTTP server, branches on the parsed answer, calls a (signed) Function, then
// runs a second deployed flow as its subflow, which sets variables and sends a message.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import type { FlowDefinition, FlowState } from '../../workflows/engine/types';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const PROXY = '+15005550006';
const GOLD_CONTACT = '+15553330001';
const UNLUCKY_CONTACT = '+15553330002';

const offset = { x: 0, y: 0 };
const flow = (states: FlowState[]): FlowDefinition => ({ description: 'test', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states });
const send = (name: string, body: string, next: string | null = null): FlowState => ({
  name,
  type: 'send-message',
  transitions: [{ event: 'sent', next }, { event: 'failed' }],
  properties: { offset, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
});

/** The subflow: greets the contact with what the parent passed, and hands a variable back. */
const childFlow = (version: string) =>
  flow([
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingParent', next: 'set' }], properties: { offset } },
    {
      name: 'set',
      type: 'set-variables',
      transitions: [{ event: 'next', next: 'tell' }],
      properties: { offset, variables: [{ key: 'welcome', value: `Welcome {{trigger.parent.parameters.tier}} member (${version})` }] },
    },
    send('tell', '{{flow.variables.welcome}}'),
  ]);

function parentFlow(base: string, childSid: string): FlowDefinition {
  return flow([
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingRequest', next: 'lookup' }], properties: { offset } },
    {
      name: 'lookup',
      type: 'make-http-request',
      transitions: [
        { event: 'success', next: 'branch' },
        { event: 'failed', next: 'sorry' },
      ],
      properties: {
        offset,
        method: 'GET',
        content_type: 'application/x-www-form-urlencoded;charset=utf-8',
        url: `${base}/customers`,
        parameters: [{ key: 'phone', value: '{{contact.channel.address}}' }],
      },
    },
    {
      name: 'branch',
      type: 'split-based-on',
      transitions: [
        { event: 'noMatch', next: 'sorry' },
        { event: 'match', next: 'greet', conditions: [{ friendly_name: 'gold', arguments: ['{{widgets.lookup.parsed.tier}}'], type: 'equal_to', value: 'gold' }] },
      ],
      properties: { offset, input: '{{widgets.lookup.parsed.tier}}' },
    },
    {
      name: 'greet',
      type: 'run-function',
      transitions: [
        { event: 'success', next: 'sub' },
        { event: 'fail', next: 'sorry' },
      ],
      properties: {
        offset,
        service_sid: 'ZS00000000000000000000000000000001',
        environment_sid: 'ZE00000000000000000000000000000001',
        function_sid: 'ZH00000000000000000000000000000001',
        url: `${base}/functions/greet`,
        parameters: [{ key: 'name', value: '{{widgets.lookup.parsed.name}}' }],
      },
    },
    {
      name: 'sub',
      type: 'run-subflow',
      transitions: [
        { event: 'completed', next: 'done' },
        { event: 'failed', next: 'sorry' },
      ],
      properties: { offset, flow_sid: childSid, flow_revision: 'LatestPublished', parameters: [{ key: 'tier', value: '{{widgets.lookup.parsed.tier}}' }] },
    },
    send('done', 'Done: {{widgets.greet.parsed.greeting}} / {{widgets.sub.welcome}}'),
    send('sorry', 'Sorry, we could not look you up'),
  ]);
}

describe('Make HTTP Request → Split → Run Function → Run Subflow', () => {
  let stack: Stack;
  let server: http.Server;
  let base: string;
  let parentSid: string;
  let childSid: string;
  const functionCalls: { name: string; validSignature: boolean }[] = [];

  beforeAll(async () => {
    stack = await startStack();
    const app = express();
    app.get('/customers', (req, res) => {
      if (req.query.phone === UNLUCKY_CONTACT) return void res.status(503).type('text/plain').send('down for maintenance');
      res.json({ tier: 'gold', name: 'Ann' });
    });
    app.post('/functions/greet', express.urlencoded({ extended: false }), (req, res) => {
      const params = req.body as Record<string, string>;
      const validSignature = twilio.validateRequest(stack.config.authToken, req.header('x-twilio-signature') ?? '', `${base}${req.originalUrl}`, params);
      functionCalls.push({ name: params.name, validSignature });
      res.json({ greeting: `Hi ${params.name}` });
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const child = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Welcome subflow', status: 'published', definition: childFlow('v1') });
    childSid = child.sid;
    const parent = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Lookup', status: 'published', definition: parentFlow(base, childSid) });
    parentSid = parent.sid;
    // Published after the parent: the subflow's revision is the one published when Run Subflow runs.
    await stack.twilio.studio.v2.flows(childSid).update({ status: 'published', definition: childFlow('v2'), commitMessage: 'v2' });
  });

  afterAll(async () => {
    await stack?.stop();
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function ended(executionSid: string): Promise<void> {
    await waitFor(async () => (await stack.twilio.studio.v2.flows(parentSid).executions(executionSid).fetch()).status === 'ended', 'the execution to end');
  }

  it('looks up, branches on the parsed answer, runs the Function and the subflow', async () => {
    const execution = await stack.twilio.studio.v2.flows(parentSid).executions.create({ to: GOLD_CONTACT, from: PROXY, parameters: { source: 'test' } });
    await ended(execution.sid);

    const received = await device(stack.emulatorUrl).received(GOLD_CONTACT);
    expect(received.map((message) => [message.from, message.body])).toEqual([
      [PROXY, 'Welcome gold member (v2)'],
      [PROXY, 'Done: Hi Ann / Welcome gold member (v2)'],
    ]);
    expect(functionCalls).toContainEqual({ name: 'Ann', validSignature: true });

    const steps = (await stack.twilio.studio.v2.flows(parentSid).executions(execution.sid).steps.list()).reverse();
    const subStep = steps.find((step) => step.transitionedFrom === 'sub')!;
    expect(steps.map((step) => [`${step.transitionedFrom}-${step.name}->${step.transitionedTo}`, step.parentStepSid])).toEqual([
      ['Trigger-incomingRequest->lookup', null],
      ['lookup-success->branch', null],
      ['branch-match->greet', null],
      ['greet-success->sub', null],
      ['sub-completed->done', null],
      ['Trigger-incomingParent->set', subStep.sid],
      ['set-next->tell', subStep.sid],
      ['tell-sent->Ended', subStep.sid],
      ['done-sent->Ended', null],
    ]);

    const { context } = await stack.twilio.studio.v2.flows(parentSid).executions(execution.sid).executionContext().fetch();
    expect(context).toMatchObject({
      flow: { variables: {} },
      widgets: {
        lookup: { status_code: 200, parsed: { tier: 'gold', name: 'Ann' } },
        greet: { status_code: 200, parsed: { greeting: 'Hi Ann' } },
        sub: { welcome: 'Welcome gold member (v2)' },
      },
    });

    const history = await stack.temporal.workflow.getHandle(execution.sid).fetchHistory();
    const activityTypes = (history.events ?? []).map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activityTypes).toEqual(['httpRequest', 'httpRequest', 'fetchFlowRevision', 'sendSms', 'sendSms']);
  });

  it('takes failed on a 5xx answer, once, and writes the answer', async () => {
    const execution = await stack.twilio.studio.v2.flows(parentSid).executions.create({ to: UNLUCKY_CONTACT, from: PROXY });
    await ended(execution.sid);

    expect((await device(stack.emulatorUrl).received(UNLUCKY_CONTACT)).map((message) => message.body)).toEqual(['Sorry, we could not look you up']);
    const steps = (await stack.twilio.studio.v2.flows(parentSid).executions(execution.sid).steps.list()).reverse();
    expect(steps.map((step) => `${step.transitionedFrom}-${step.name}->${step.transitionedTo}`)).toEqual([
      'Trigger-incomingRequest->lookup',
      'lookup-failed->sorry',
      'sorry-sent->Ended',
    ]);
    const { context } = await stack.twilio.studio.v2.flows(parentSid).executions(execution.sid).executionContext().fetch();
    expect(context).toMatchObject({ widgets: { lookup: { status_code: 503, body: 'down for maintenance' } } });
    // Not retried, as in Studio: the request is scheduled with one attempt, and made once.
    const events = (await stack.temporal.workflow.getHandle(execution.sid).fetchHistory()).events ?? [];
    const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'httpRequest')!;
    expect(scheduled.activityTaskScheduledEventAttributes!.retryPolicy?.maximumAttempts).toBe(1);
    const started = events.filter((event) => String(event.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId));
    expect(started.map((event) => event.activityTaskStartedEventAttributes!.attempt)).toEqual([1]);
  });
});
