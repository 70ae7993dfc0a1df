// Long executions (issue 4.7): when Temporal suggests it (the test server's threshold is lowered to
// 120 history events by the global setup), the workflow continues as new between widgets, carrying
// its pinned definition, context, steps, seen message SIDs and current widget — invisibly to the flow.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const FLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/chat-loop.json'), 'utf8'));

describe('a conversation longer than one workflow run', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('continues as new mid-conversation and the flow never notices', async () => {
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Chat loop', status: 'published', definition: FLOW });
    const contact = '+15551235001';
    const proxy = '+15005550200';
    // No Conversation here: the flow speaks Programmable Messaging, and the number's SmsUrl brings replies back.
    await stack.twilio.incomingPhoneNumbers.create({ phoneNumber: proxy, smsUrl: flow.webhookUrl });
    const execution = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ to: contact, from: proxy });
    const phone = device(stack.emulatorUrl);
    const rounds = 14;
    for (let round = 0; round < rounds; round++) {
      await waitFor(async () => (await phone.received(contact)).length === round + 1, `question ${round + 1}`);
      expect((await phone.received(contact))[round].body).toBe(`Say something (${round} so far)`);
      await phone.send(contact, proxy, round === rounds - 1 ? 'stop' : `reply ${round}`);
    }
    await waitFor(async () => (await phone.received(contact)).length === rounds + 1, 'the goodbye');
    expect((await phone.received(contact))[rounds].body).toBe(`Bye after ${rounds} rounds, last was stop`);

    const description = await stack.temporal.workflow.getHandle(execution.sid).describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
    const steps = await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).steps.list({ pageSize: 1000 });
    expect(steps).toHaveLength(1 + rounds * 3 + 1);
    expect(steps[steps.length - 1].name).toBe('incomingRequest');
    expect((await stack.twilio.studio.v2.flows(flow.sid).executions(execution.sid).fetch()).status).toBe('ended');
  }, 180_000);
});
