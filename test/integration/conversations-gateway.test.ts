// The webhook gateway at the flow webhook URL (DESIGN.md; decisions 2 and 3): Twilio delivers webhooks
// at least once, so a duplicate — the exact signed request again, taken from the emulator's webhook log —
// is handled once, as the trigger of a new execution and as a reply; a retry that arrives after its
// execution ended starts nothing; a reply no widget waits for is recorded as ignored (81002); the JSON
// bodySHA256 signature variant is checked; a request signed for another flow's URL is refused; and the
// gateway answers without waiting on the workflow (it answers while no worker runs).
import { createHash } from 'node:crypto';
import {
  connectAddressToFlow,
  contactSequence,
  endedState,
  executionsOf,
  flow,
  flowWebhookUrl,
  loggedWebhooks,
  publish,
  receivedMessage,
  replay,
  sendAndWait,
  sendMessage,
  startStackWithFlow,
  stepPath,
  trigger,
  type LoggedWebhook,
} from '../support/conversation-flows';
import { twilio, waitFor, type Device, type Stack } from '../support/stack';

const TWILIO_NUMBER = '+15005550301';
const nextContact = contactSequence('+1555600');

describe('the webhook gateway', () => {
  let stack: Stack;
  let phone: Device;
  let flowSid: string;

  beforeAll(async () => {
    ({ stack, phone, flowSid } = await startStackWithFlow('two questions', [
      trigger({ incomingConversationMessage: 'q1' }),
      sendAndWait('q1', 'Question 1?', { incomingMessage: 'q2' }),
      sendAndWait('q2', 'Question 2?', { incomingMessage: 'done' }),
      sendMessage('done', 'Got {{widgets.q1.inbound.Body}} and {{widgets.q2.inbound.Body}}'),
    ]));
    await connectAddressToFlow(stack, TWILIO_NUMBER, flowSid);
  });
  afterAll(async () => stack?.stop());

  const executionsFor = async (contact: string) => (await executionsOf(stack, flowSid)).filter((execution) => execution.contactChannelAddress === contact);
  const received = (contact: string, body: string) => receivedMessage(phone, contact, body);

  /** The signed request the emulator sent for a message, once the gateway has answered it. */
  async function webhookFor(messageSid: string): Promise<LoggedWebhook> {
    return waitFor(async () => (await loggedWebhooks(stack)).find((hook) => hook.params.MessageSid === messageSid && hook.status !== null), `the webhook of ${messageSid}`);
  }

  it('handles a webhook delivered twice once: as the trigger (one execution) and as a reply (one answer)', async () => {
    const contact = nextContact();
    const hello = await phone.send(contact, TWILIO_NUMBER, 'hello');
    await received(contact, 'Question 1?');
    const trigger = await webhookFor(hello.message_sid);
    expect(trigger.status).toBe(200);

    // The trigger again: no second execution, and it is not taken as the answer to Question 1.
    expect((await replay(trigger)).status).toBe(200);
    const answer1 = await phone.send(contact, TWILIO_NUMBER, 'a1');
    await received(contact, 'Question 2?');
    const [execution] = await executionsFor(contact);
    expect(await executionsFor(contact)).toHaveLength(1);

    // The first answer again: dropped by its MessageSid, so it does not answer Question 2.
    expect((await replay(await webhookFor(answer1.message_sid))).status).toBe(200);
    await phone.send(contact, TWILIO_NUMBER, 'a2');
    await received(contact, 'Got a1 and a2');
    const state = await endedState(stack, execution.sid);
    expect(stepPath(state)).toEqual(['Trigger-incomingConversationMessage->q1', 'q1-incomingMessage->q2', 'q2-incomingMessage->done', 'done-sent->Ended']);
    // Duplicates are dropped, not "ignored": nothing unexpected arrived.
    expect(state.ignoredInbound).toEqual([]);
    expect(await executionsFor(contact)).toHaveLength(1);
  });

  it('starts nothing with a webhook retried after its execution ended: neither its trigger nor a reply', async () => {
    const contact = nextContact();
    const hello = await phone.send(contact, TWILIO_NUMBER, 'hello');
    await received(contact, 'Question 1?');
    const answer1 = await phone.send(contact, TWILIO_NUMBER, 'a1');
    await received(contact, 'Question 2?');
    const answer2 = await phone.send(contact, TWILIO_NUMBER, 'a2');
    await received(contact, 'Got a1 and a2');
    const [execution] = await executionsFor(contact);
    await endedState(stack, execution.sid);

    for (const messageSid of [hello.message_sid, answer1.message_sid, answer2.message_sid]) {
      expect((await replay(await webhookFor(messageSid))).status).toBe(200);
    }
    // A genuinely new message does start the next execution, so the retries above had their chance to.
    await phone.send(contact, TWILIO_NUMBER, 'new day');
    await waitFor(async () => (await executionsFor(contact)).length === 2, 'the execution of the new message');
    const executions = await executionsFor(contact);
    const second = executions.find((candidate) => candidate.sid !== execution.sid)!;
    const context = await stack.twilio.studio.v2.flows(flowSid).executions(second.sid).executionContext().fetch();
    expect((context.context as { trigger: { conversation: { Body: string } } }).trigger.conversation.Body).toBe('new day');
    await stack.twilio.studio.v2.flows(flowSid).executions(second.sid).update({ status: 'ended' });
  });

  it('records a reply that arrives while no widget waits as ignored (81002), and starts no second execution', async () => {
    const contact = nextContact();
    await phone.send(contact, TWILIO_NUMBER, 'hello');
    await received(contact, 'Question 1?');
    await phone.send(contact, TWILIO_NUMBER, 'a1');
    await received(contact, 'Question 2?');
    const [execution] = await executionsFor(contact);
    // The last Send Message cannot get through for a while (Twilio answers 500; the activity retries):
    // the execution is at a widget that waits for nothing.
    await phone.fault('sendMessage', { address: contact, count: 10 });
    await phone.send(contact, TWILIO_NUMBER, 'a2');
    const handle = stack.temporal.workflow.getHandle(execution.sid);
    await waitFor(async () => ((await handle.describe()).raw.pendingActivities ?? []).some((activity) => (activity.attempt ?? 0) >= 2), 'the send to be retrying');
    const extra = await phone.send(contact, TWILIO_NUMBER, 'are you there?');
    const ignored = await waitFor(async () => (await stack.service.state(execution.sid)).ignoredInbound.find((entry) => entry.messageSid === extra.message_sid), 'the ignored reply');
    expect(ignored).toMatchObject({ widget: 'done', warning: '81002' });
    await fetch(`${stack.emulatorUrl}/Emulator/Faults`, { method: 'DELETE' });

    const state = await endedState(stack, execution.sid);
    expect(stepPath(state).at(-1)).toBe('done-sent->Ended');
    expect(state.context.widgets.q2).toMatchObject({ inbound: { Body: 'a2' } });
    expect(await executionsFor(contact)).toHaveLength(1);
  });

  it('accepts the JSON variant signed with bodySHA256, and refuses it when the body was altered', async () => {
    const contact = nextContact();
    const hello = await phone.send(contact, TWILIO_NUMBER, 'hello');
    await received(contact, 'Question 1?');
    const [execution] = await executionsFor(contact);
    const reply = {
      AccountSid: stack.config.accountSid,
      EventType: 'onMessageAdded',
      ConversationSid: hello.conversation_sid!,
      MessageSid: 'IM' + 'a'.repeat(32),
      Index: '2',
      Body: 'json answer',
      Author: contact,
      Source: 'SMS',
    };
    const signedJson = (body: string) => {
      const url = `${flowWebhookUrl(stack, flowSid)}?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
      return { url, signature: twilio.getExpectedTwilioSignature(stack.config.authToken, url, {}) };
    };
    const post = (url: string, signature: string, body: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Twilio-Signature': signature }, body });

    const genuine = JSON.stringify(reply);
    const { url, signature } = signedJson(genuine);
    const altered = JSON.stringify({ ...reply, Body: 'forged answer' });
    const refused = await post(url, signature, altered);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 20403, status: 403 });
    expect((await post(url, signature, genuine)).status).toBe(200);

    await received(contact, 'Question 2?');
    const state = await stack.service.state(execution.sid);
    expect(state.context.widgets.q1).toMatchObject({ inbound: { Body: 'json answer', MessageSid: reply.MessageSid } });
    await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).update({ status: 'ended' });
  });

  it("refuses with 403 a webhook signed for another flow's URL, and starts nothing there", async () => {
    const otherFlow = await publish(stack, 'other', flow([trigger({ incomingConversationMessage: 'hi' }), sendMessage('hi', 'hi')]));
    const contact = nextContact();
    const hello = await phone.send(contact, TWILIO_NUMBER, 'hello');
    await received(contact, 'Question 1?');
    const logged = await webhookFor(hello.message_sid);
    const misdirected = await replay({ ...logged, url: flowWebhookUrl(stack, otherFlow) });
    expect(misdirected.status).toBe(403);
    expect(await misdirected.json()).toMatchObject({ code: 20403, status: 403 });
    expect(await executionsOf(stack, otherFlow)).toEqual([]);
    const [execution] = await executionsFor(contact);
    await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).update({ status: 'ended' });
  });

  it('answers without waiting on the workflow: a trigger and a reply are accepted while no worker runs', async () => {
    const contact = nextContact();
    await stack.stopWorker();
    try {
      const hello = await phone.send(contact, TWILIO_NUMBER, 'hello');
      expect((await webhookFor(hello.message_sid)).status).toBe(200);
      const [execution] = await waitFor(async () => {
        const found = await executionsFor(contact);
        return found.length ? found : null;
      }, 'the execution');
      // Started in Temporal, but nothing ran: no worker picked it up.
      expect((await stack.temporal.workflow.getHandle(execution.sid).describe()).status.name).toBe('RUNNING');
      expect(await phone.received(contact)).toEqual([]);
    } finally {
      await stack.startWorker();
    }
    await received(contact, 'Question 1?');
    await stack.stopWorker();
    try {
      const answer = await phone.send(contact, TWILIO_NUMBER, 'a1');
      expect((await webhookFor(answer.message_sid)).status).toBe(200);
      expect((await phone.received(contact)).map((message) => message.body)).toEqual(['Question 1?']);
    } finally {
      await stack.startWorker();
    }
    // The reply was kept as a signal: once a worker runs, it answers Question 1.
    await received(contact, 'Question 2?');
    const [execution] = await executionsFor(contact);
    expect((await stack.service.state(execution.sid)).context.widgets.q1).toMatchObject({ inbound: { Body: 'a1' } });
    await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).update({ status: 'ended' });
  });
});
