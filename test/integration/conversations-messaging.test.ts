// Inbound SMS without Conversations (Programmable Messaging, issue 4.4): an IncomingPhoneNumber whose
// SmsUrl is the flow's webhook URL starts executions through `incomingMessage` (trigger.message.*); the
// flow's sends go out through Programmable Messaging; each contact's reply reaches its own waiting Send &
// Wait for Reply, matched by the (from, to) pair; and a failed delivery drives `deliveryFailure`
// through the status callback.
import { endedState, executionsOf, flowWebhookUrl, receivedMessage, sendAndWait, sendMessage, startStackWithFlow, stepPath, trigger } from '../support/conversation-flows';
import { waitFor, type Device, type Stack } from '../support/stack';

const TWILIO_NUMBER = '+15005550401';

describe('inbound SMS on a number whose SmsUrl is the flow', () => {
  let stack: Stack;
  let phone: Device;
  let flowSid: string;

  beforeAll(async () => {
    ({ stack, phone, flowSid } = await startStackWithFlow('order number', [
      trigger({ incomingMessage: 'ask' }),
      sendAndWait('ask', 'What is your order number?', { incomingMessage: 'confirm' }),
      sendMessage('confirm', 'Order {{widgets.ask.inbound.Body}} noted for {{trigger.message.From}}'),
    ]));
    const number = await stack.twilio.incomingPhoneNumbers.create({ phoneNumber: TWILIO_NUMBER, smsUrl: flowWebhookUrl(stack, flowSid) });
    expect(number.smsUrl).toBe(flowWebhookUrl(stack, flowSid));
  });
  afterAll(async () => stack?.stop());

  const executionFor = (contact: string) =>
    waitFor(async () => (await executionsOf(stack, flowSid)).find((execution) => execution.contactChannelAddress === contact), `the execution of ${contact}`);
  const received = (contact: string, body: string) => receivedMessage(phone, contact, body);

  it('starts through incomingMessage, sends through Messaging, and matches each reply by its (from, to) pair', async () => {
    const [ann, bob] = ['+15558000001', '+15558000002'];
    const annFirst = await phone.send(ann, TWILIO_NUMBER, 'hi');
    expect(annFirst.conversation_sid).toBeUndefined();
    await phone.send(bob, TWILIO_NUMBER, 'hello');
    const asked = await received(ann, 'What is your order number?');
    await received(bob, 'What is your order number?');
    // Programmable Messaging, not a Conversation: from the number, with a status callback to the flow.
    expect(asked).toMatchObject({ from: TWILIO_NUMBER, to: ann });
    expect(asked.conversation_sid ?? null).toBeNull();
    const [outbound] = await stack.twilio.messages.list({ to: ann });
    expect(outbound).toMatchObject({ from: TWILIO_NUMBER, direction: 'outbound-api', body: 'What is your order number?' });

    const [annExecution, bobExecution] = [await executionFor(ann), await executionFor(bob)];
    expect(annExecution.sid).not.toBe(bobExecution.sid);
    // Replies in the opposite order: each reaches its own execution.
    await phone.send(bob, TWILIO_NUMBER, 'B-7');
    await phone.send(ann, TWILIO_NUMBER, 'A-42');
    await received(ann, `Order A-42 noted for ${ann}`);
    await received(bob, `Order B-7 noted for ${bob}`);

    const state = await endedState(stack, annExecution.sid);
    expect(stepPath(state)).toEqual(['Trigger-incomingMessage->ask', 'ask-incomingMessage->confirm', 'confirm-sent->Ended']);
    expect(state.context.trigger.message).toMatchObject({ From: ann, To: TWILIO_NUMBER, Body: 'hi', MessageSid: annFirst.message_sid, SmsStatus: 'received' });
    expect(state.context.flow.channel).toEqual({ address: TWILIO_NUMBER });
    expect(state.context.contact.channel.address).toBe(ann);
    expect(state.context.widgets.ask).toMatchObject({ inbound: { Body: 'A-42', From: ann, To: TWILIO_NUMBER } });
    expect((await stack.twilio.studio.v2.flows(flowSid).executions(annExecution.sid).fetch()).contactChannelAddress).toBe(ann);
    await endedState(stack, bobExecution.sid);
  });

  it('takes deliveryFailure when the question cannot be delivered (status callback undelivered, 30003)', async () => {
    const contact = '+15558000003';
    await phone.fault('deliver', { address: contact });
    await phone.send(contact, TWILIO_NUMBER, 'hi');
    const execution = await executionFor(contact);
    const state = await endedState(stack, execution.sid);
    expect(stepPath(state)).toEqual(['Trigger-incomingMessage->ask', 'ask-deliveryFailure->Ended']);
    expect(state.context.widgets.ask).toMatchObject({ outbound: { Body: 'What is your order number?', Status: 'undelivered', ErrorCode: '30003' } });
    expect(await phone.received(contact)).toEqual([]);
    const [outbound] = await stack.twilio.messages.list({ to: contact });
    expect(outbound).toMatchObject({ status: 'undelivered', errorCode: 30003 });
  });
});
