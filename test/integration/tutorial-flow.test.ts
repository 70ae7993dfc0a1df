// The tutorial flow of seed document 002, unchanged: deployed through POST /v2/Flows, connected by an
// Address Configuration (auto-creation, type studio), driven by a device through the emulator.
import * as fs from 'node:fs';
import { connectAddressToFlow, receivedMessage } from '../support/conversation-flows';
import { sharedFile } from '../support/paths';
import { device, startStack, twilio, waitFor, type Stack } from '../support/stack';

const TUTORIAL = sharedFile('studio-flows', 'accepted', 'seed-002-tutorial.json');
const TWILIO_NUMBER = '+15005550100';
const describeWithTutorial = TUTORIAL ? describe : describe.skip;

describeWithTutorial('the Conversations tutorial flow (seed 002)', () => {
  let stack: Stack;
  let flowSid: string;

  beforeAll(async () => {
    stack = await startStack();
    const flow = await stack.twilio.studio.v2.flows.create({
      friendlyName: 'Conversations tutorial',
      status: 'published',
      definition: JSON.parse(fs.readFileSync(TUTORIAL!, 'utf8')),
    });
    flowSid = flow.sid;
    expect(flow.webhookUrl).toBe(`${stack.apiUrl}/v1/Accounts/${stack.config.accountSid}/Flows/${flowSid}`);
    await connectAddressToFlow(stack, TWILIO_NUMBER, flowSid);
  });
  afterAll(async () => stack?.stop());

  it.each([
    ['yes', '🤖', '+15552000001'],
    ['Yes', '🤖', '+15552000002'],
    ['no', '👽', '+15552000003'],
    ['maybe', '👻', '+15552000004'],
  ])('a reply of %s gets %s', async (reply, expected, phone) => {
    const phoneDevice = device(stack.emulatorUrl);
    const first = await phoneDevice.send(phone, TWILIO_NUMBER, 'hello');
    expect(first.conversation_sid).toMatch(/^CH/);
    await receivedMessage(phoneDevice, phone, 'Hi, do you like bots?', 'the question');
    await phoneDevice.send(phone, TWILIO_NUMBER, reply);
    await waitFor(async () => (await phoneDevice.received(phone)).length === 2, 'the answer');
    const bodies = (await phoneDevice.received(phone)).map((m) => m.body);
    expect(bodies).toEqual(['Hi, do you like bots?', expected]);

    const executions = await stack.twilio.studio.v2.flows(flowSid).executions.list();
    const mine = executions.find((execution) => execution.contactChannelAddress === phone);
    expect(mine).toBeDefined();
    await waitFor(async () => (await stack.twilio.studio.v2.flows(flowSid).executions(mine!.sid).fetch()).status === 'ended', 'the execution to end');
    const context = await stack.twilio.studio.v2.flows(flowSid).executions(mine!.sid).executionContext().fetch();
    expect(context.context).toMatchObject({
      trigger: { conversation: { Body: 'hello', ConversationSid: first.conversation_sid } },
      widgets: { send_and_reply_1: { inbound: { Body: reply } } },
    });
  });

  it('rejects an unsigned or wrongly signed webhook with 403 and signals nothing', async () => {
    const phone = '+15552009999';
    const phoneDevice = device(stack.emulatorUrl);
    const first = await phoneDevice.send(phone, TWILIO_NUMBER, 'hello');
    await waitFor(async () => (await phoneDevice.received(phone)).length === 1, 'the question');
    const executions = await stack.twilio.studio.v2.flows(flowSid).executions.list();
    const execution = executions.find((candidate) => candidate.contactChannelAddress === phone)!;

    const url = `${stack.apiUrl}/v1/Accounts/${stack.config.accountSid}/Flows/${flowSid}`;
    const params = {
      AccountSid: stack.config.accountSid,
      EventType: 'onMessageAdded',
      ConversationSid: first.conversation_sid!,
      MessageSid: 'IM' + 'f'.repeat(32),
      Body: 'yes',
      Author: phone,
      Index: '2',
    };
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params) });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'X-Twilio-Signature': 'bm90LWEtc2lnbmF0dXJl' })).status).toBe(403);
    const signedForAnotherToken = twilio.getExpectedTwilioSignature('another-token', url, params);
    const forged = await post({ 'X-Twilio-Signature': signedForAnotherToken });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: 20403, status: 403 });

    // Nothing reached the execution: it still waits at its question, with no reply recorded.
    const steps = await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).steps.list();
    expect(steps.map((step) => step.transitionedTo)).toEqual(['send_and_reply_1']);
    const state = await stack.service.state(execution.sid);
    expect(state.ignoredInbound).toEqual([]);
    expect(state.currentWidget).toBe('send_and_reply_1');

    // The same body, correctly signed, does reach it.
    const signed = await post({ 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(stack.config.authToken, url, params) });
    expect(signed.status).toBe(200);
    await waitFor(async () => (await phoneDevice.received(phone)).length === 2, 'the answer to the signed reply');
    expect((await phoneDevice.received(phone))[1].body).toBe('🤖');
  });
});
