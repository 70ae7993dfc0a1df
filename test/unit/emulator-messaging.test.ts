// Programmable Messaging 2010-04-01 through the real `twilio` client: sending with status callbacks,
// IncomingPhoneNumbers, and inbound messages to an SmsUrl with TwiML replies.
import type twilio from 'twilio';
import { ACCOUNT_SID, basicAuth, deviceInbox, deviceSends, getJson, postForm, startEmulatorWithReceiver, WebhookReceiver, expectResponsesMatchTwilioSchemas } from './emulator-harness';
import type { EmulatorWithReceiver } from './emulator-harness';

const CUSTOMER = '+15550002222';
const TWILIO_NUMBER = '+15557650000';

describe('emulator: Programmable Messaging', () => {
  let running: EmulatorWithReceiver;
  let receiver: WebhookReceiver;
  let client: twilio.Twilio;

  beforeAll(async () => {
    running = await startEmulatorWithReceiver();
    ({ receiver, client } = running);
  });
  afterAll(async () => running.close());
  afterEach(expectResponsesMatchTwilioSchemas);
  beforeEach(() => running.reset());

  test('a sent message answers queued, reaches the device and reports sent then delivered to StatusCallback', async () => {
    const message = await client.messages.create({ to: CUSTOMER, from: TWILIO_NUMBER, body: 'Your code is 1234', statusCallback: `${receiver.baseUrl}/status` });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message).toMatchObject({ status: 'queued', direction: 'outbound-api', to: CUSTOMER, from: TWILIO_NUMBER, body: 'Your code is 1234', accountSid: ACCOUNT_SID, apiVersion: '2010-04-01' });
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(Number.isNaN(message.dateCreated.getTime())).toBe(false);

    expect(await deviceInbox(running.baseUrl, CUSTOMER)).toEqual([
      expect.objectContaining({ sid: message.sid, from: TWILIO_NUMBER, to: CUSTOMER, body: 'Your code is 1234' }),
    ]);
    const callbacks = await receiver.waitFor((received) => received.length === 2);
    expect(callbacks.map((callback) => callback.params.MessageStatus)).toEqual(['sent', 'delivered']);
    expect(callbacks.every((callback) => callback.signatureValid)).toBe(true);
    expect(callbacks[1].params).toEqual({
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      MessageSid: message.sid,
      SmsSid: message.sid,
      MessageStatus: 'delivered',
      SmsStatus: 'delivered',
      To: CUSTOMER,
      From: TWILIO_NUMBER,
    });
    await running.emulator.settled();
    expect((await client.messages(message.sid).fetch()).status).toBe('delivered');
    const listed = await client.messages.list({ to: CUSTOMER });
    expect(listed.map((item) => item.sid)).toEqual([message.sid]);
  });

  test('a deliver fault makes the message undelivered with error 30003 and keeps it off the device', async () => {
    await postForm(`${running.baseUrl}/Emulator/Faults`, { Operation: 'deliver', Address: CUSTOMER });
    const message = await client.messages.create({ to: CUSTOMER, from: TWILIO_NUMBER, body: 'lost', statusCallback: `${receiver.baseUrl}/status` });
    const callbacks = await receiver.waitFor((received) => received.length === 2);
    expect(callbacks.map((callback) => [callback.params.MessageStatus, callback.params.ErrorCode])).toEqual([
      ['sent', undefined],
      ['undelivered', '30003'],
    ]);
    expect(await deviceInbox(running.baseUrl, CUSTOMER)).toEqual([]);
    expect(await client.messages(message.sid).fetch()).toMatchObject({ status: 'undelivered', errorCode: 30003 });

    // DeliveryStatus=failed reports failed straight away.
    receiver.received.length = 0;
    await postForm(`${running.baseUrl}/Emulator/Faults`, { Operation: 'deliver', Address: CUSTOMER, DeliveryStatus: 'failed' });
    await client.messages.create({ to: CUSTOMER, from: TWILIO_NUMBER, body: 'lost too', statusCallback: `${receiver.baseUrl}/status` });
    const failed = await receiver.waitFor((received) => received.length === 1);
    expect(failed[0].params).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30003' });
  });

  test('validates like Twilio: To, From and Body are required', async () => {
    const missingTo = await postForm(`${running.baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, { From: TWILIO_NUMBER, Body: 'x' }, basicAuth());
    expect(missingTo.body).toMatchObject({ status: 400, code: 21604 });
    const missingFrom = await postForm(`${running.baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, { To: CUSTOMER, Body: 'x' }, basicAuth());
    expect(missingFrom.body).toMatchObject({ status: 400, code: 21603 });
    const missingBody = await postForm(`${running.baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, { To: CUSTOMER, From: TWILIO_NUMBER }, basicAuth());
    expect(missingBody.body).toMatchObject({ status: 400, code: 21602 });
    const otherAccount = await getJson(`${running.baseUrl}/2010-04-01/Accounts/AC11111111111111111111111111111111/Messages.json`, basicAuth());
    expect(otherAccount.status).toBe(404);
  });

  test('IncomingPhoneNumbers: create, list, update SmsUrl, delete', async () => {
    const number = await client.incomingPhoneNumbers.create({ phoneNumber: TWILIO_NUMBER, smsUrl: `${receiver.baseUrl}/sms` });
    expect(number).toMatchObject({ phoneNumber: TWILIO_NUMBER, smsUrl: `${receiver.baseUrl}/sms`, smsMethod: 'POST', friendlyName: '(555) 765-0000' });
    expect(number.sid).toMatch(/^PN/);
    const listed = await client.incomingPhoneNumbers.list({ phoneNumber: TWILIO_NUMBER });
    expect(listed.map((item) => item.sid)).toEqual([number.sid]);
    const updated = await client.incomingPhoneNumbers(number.sid).update({ smsUrl: `${receiver.baseUrl}/sms2`, smsMethod: 'GET' });
    expect(updated).toMatchObject({ smsUrl: `${receiver.baseUrl}/sms2`, smsMethod: 'GET' });
    await expect(client.incomingPhoneNumbers.create({ phoneNumber: TWILIO_NUMBER })).rejects.toMatchObject({ status: 400, code: 21422 });
    await client.incomingPhoneNumbers(number.sid).remove();
    expect(await client.incomingPhoneNumbers.list()).toHaveLength(0);
  });

  test('an inbound message to a number with an SmsUrl is a signed Messaging webhook; TwiML <Message> replies reach the device', async () => {
    await client.incomingPhoneNumbers.create({ phoneNumber: TWILIO_NUMBER, smsUrl: `${receiver.baseUrl}/sms` });
    receiver.respondWith(() => ({ status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks &amp; welcome!</Message></Response>' }));
    const inbound = await deviceSends(running.baseUrl, CUSTOMER, TWILIO_NUMBER, 'START');
    expect(inbound.status).toBe(201);
    expect(inbound.body).toEqual({ message_sid: expect.stringMatching(/^SM/) });

    const [hook] = await receiver.waitFor((received) => received.length === 1);
    expect(hook.path).toBe('/sms');
    expect(hook.signatureValid).toBe(true);
    expect(hook.params).toEqual({
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      Body: 'START',
      From: CUSTOMER,
      To: TWILIO_NUMBER,
      MessageSid: inbound.body.message_sid,
      SmsSid: inbound.body.message_sid,
      SmsMessageSid: inbound.body.message_sid,
      SmsStatus: 'received',
      NumMedia: '0',
      NumSegments: '1',
      FromCity: '',
      FromState: '',
      FromZip: '',
      FromCountry: 'US',
      ToCity: '',
      ToState: '',
      ToZip: '',
      ToCountry: 'US',
    });
    await running.emulator.settled();
    expect((await deviceInbox(running.baseUrl, CUSTOMER)).map((message) => [message.from, message.body])).toEqual([[TWILIO_NUMBER, 'Thanks & welcome!']]);
    const inboundResource = await client.messages(inbound.body.message_sid).fetch();
    expect(inboundResource).toMatchObject({ direction: 'inbound', status: 'received', body: 'START' });
  });

  test('an inbound message nothing receives answers 404 in Twilio shape', async () => {
    const orphan = await deviceSends(running.baseUrl, CUSTOMER, '+15550009999', 'hello?');
    expect(orphan.status).toBe(404);
    expect(orphan.body).toEqual({ code: 20404, message: expect.stringContaining('+15550009999'), more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
  });
});
