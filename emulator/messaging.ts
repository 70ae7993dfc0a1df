// Programmable Messaging, API 2010-04-01: Messages (send, list, fetch) and IncomingPhoneNumbers (whose
// SmsUrl receives inbound messages that no Conversation takes). Sending answers `queued` at once; the
// device gets the message and StatusCallback hears `sent` then `delivered` afterwards (delivery.ts).
import express from 'express';
import type { Request, Router } from 'express';
import { isSid, newSid } from '../common/sid';
import type { EmulatorContext } from './context';
import { resourceContext } from './context';
import { legacyPage } from './paging';
import { bodyParams, enumParam, listParam, optionalParam, pathParam, queryParams, stringParam } from './request-params';
import { serializePhoneNumber, serializeSmsMessage } from './serializers';
import type { PhoneNumberRecord, SmsMessageRecord } from './state';
import { badRequest, notFound, TwilioErrorCode } from './twilio-errors';

/** `(555) 123-4567` for North American numbers, as Twilio names a new number; the number itself otherwise. */
function defaultFriendlyName(phoneNumber: string): string {
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phoneNumber);
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : phoneNumber;
}

/** The IncomingPhoneNumber that receives messages sent to `address` (a number or its `whatsapp:` form). */
export function findPhoneNumber(numbers: Record<string, PhoneNumberRecord>, address: string): PhoneNumberRecord | undefined {
  const bare = address.replace(/^whatsapp:/i, '');
  return Object.values(numbers).find((number) => number.phoneNumber === bare);
}

export function messagingRouter(context: EmulatorContext): Router {
  const router = express.Router({ mergeParams: true });
  const { store, faults, delivery } = context;

  // The path names the account; another account's resources do not exist here.
  router.use((req, _res, next) => {
    if (pathParam(req, 'accountSid') !== context.accountSid) throw notFound(req.originalUrl.split('?')[0]);
    next();
  });

  const messageOf = (req: Request): SmsMessageRecord => {
    const message = store.state.smsMessages[pathParam(req, 'messageSid')];
    if (!message) throw notFound(req.originalUrl.split('?')[0]);
    return message;
  };
  const numberOf = (req: Request): PhoneNumberRecord => {
    const number = store.state.phoneNumbers[pathParam(req, 'numberSid')];
    if (!number) throw notFound(req.originalUrl.split('?')[0]);
    return number;
  };

  // ---- Messages ------------------------------------------------------------------------------------

  router.post('/Messages.json', (req, res) => {
    const params = bodyParams(req);
    const to = optionalParam(params, 'To');
    const from = optionalParam(params, 'From');
    const messagingServiceSid = optionalParam(params, 'MessagingServiceSid');
    const body = stringParam(params, 'Body') ?? '';
    const mediaUrls = listParam(params, 'MediaUrl');
    if (to === undefined) throw badRequest("A 'To' phone number is required.", TwilioErrorCode.toRequired);
    if (messagingServiceSid !== undefined && !isSid(messagingServiceSid, 'MG')) throw badRequest(`MessagingServiceSid must be an MG SID, got "${messagingServiceSid}"`);
    if (from === undefined && messagingServiceSid === undefined) throw badRequest("A 'From' phone number is required.", TwilioErrorCode.fromRequired);
    if (body === '' && mediaUrls.length === 0 && optionalParam(params, 'ContentSid') === undefined) {
      throw badRequest('Message body is required.', TwilioErrorCode.messageBodyRequired);
    }
    faults.failIfFaulted('sendMessage', [to]);
    const now = store.now();
    const message: SmsMessageRecord = {
      sid: newSid('SM'),
      from: from ?? null,
      to,
      body,
      direction: 'outbound-api',
      // A Messaging Service picks the sender later: Twilio answers `accepted` with no From yet.
      status: from === undefined ? 'accepted' : 'queued',
      messagingServiceSid: messagingServiceSid ?? null,
      statusCallback: optionalParam(params, 'StatusCallback') ?? null,
      mediaUrls,
      errorCode: null,
      errorMessage: null,
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
    };
    store.state.smsMessages[message.sid] = message;
    const response = serializeSmsMessage(resourceContext(context, req), message);
    if (message.from === null) {
      // The service's sender: the first number of the account, as an emulated one-number pool.
      message.from = Object.values(store.state.phoneNumbers)[0]?.phoneNumber ?? messagingServiceSid ?? null;
      message.status = 'queued';
    }
    store.changed();
    delivery.sendSms(message);
    res.status(201).json(response);
  });

  router.get('/Messages.json', (req, res) => {
    const query = queryParams(req);
    const to = optionalParam(query, 'To');
    const from = optionalParam(query, 'From');
    const messages = Object.values(store.state.smsMessages)
      .filter((message) => (to === undefined || message.to === to) && (from === undefined || message.from === from))
      .sort((a, b) => b.dateCreated - a.dateCreated);
    const resources = resourceContext(context, req);
    res.json(legacyPage(req, 'messages', messages, (message) => serializeSmsMessage(resources, message)));
  });

  router.get('/Messages/:messageSid.json', (req, res) => {
    res.json(serializeSmsMessage(resourceContext(context, req), messageOf(req)));
  });

  router.post('/Messages/:messageSid.json', (req, res) => {
    const message = messageOf(req);
    const params = bodyParams(req);
    // Twilio allows redacting the body (Body="") and cancelling a scheduled message.
    const body = stringParam(params, 'Body');
    if (body !== undefined) message.body = body;
    if (enumParam(params, 'Status', ['canceled'] as const) === 'canceled') message.status = 'canceled';
    message.dateUpdated = store.now();
    store.changed();
    res.json(serializeSmsMessage(resourceContext(context, req), message));
  });

  router.delete('/Messages/:messageSid.json', (req, res) => {
    delete store.state.smsMessages[messageOf(req).sid];
    store.changed();
    res.status(204).end();
  });

  // ---- IncomingPhoneNumbers --------------------------------------------------------------------------

  const methodParam = (params: Record<string, unknown>, name: string) => enumParam(params, name, ['GET', 'POST'] as const);

  router.post('/IncomingPhoneNumbers.json', (req, res) => {
    const params = bodyParams(req);
    const phoneNumber = optionalParam(params, 'PhoneNumber');
    if (phoneNumber === undefined || !/^\+\d{4,15}$/.test(phoneNumber)) {
      throw badRequest(`PhoneNumber must be an E.164 number such as +15017122661, got "${phoneNumber ?? ''}"`, TwilioErrorCode.phoneNumberInvalid);
    }
    if (findPhoneNumber(store.state.phoneNumbers, phoneNumber)) {
      throw badRequest(`${phoneNumber} is not available`, TwilioErrorCode.phoneNumberNotAvailable);
    }
    const now = store.now();
    const number: PhoneNumberRecord = {
      sid: newSid('PN'),
      phoneNumber,
      friendlyName: optionalParam(params, 'FriendlyName') ?? defaultFriendlyName(phoneNumber),
      smsUrl: optionalParam(params, 'SmsUrl') ?? null,
      smsMethod: methodParam(params, 'SmsMethod') ?? 'POST',
      smsFallbackUrl: optionalParam(params, 'SmsFallbackUrl') ?? null,
      smsFallbackMethod: methodParam(params, 'SmsFallbackMethod') ?? 'POST',
      statusCallback: optionalParam(params, 'StatusCallback') ?? null,
      dateCreated: now,
      dateUpdated: now,
    };
    store.state.phoneNumbers[number.sid] = number;
    store.changed();
    res.status(201).json(serializePhoneNumber(resourceContext(context, req), number));
  });

  router.get('/IncomingPhoneNumbers.json', (req, res) => {
    const query = queryParams(req);
    const phoneNumber = optionalParam(query, 'PhoneNumber');
    const friendlyName = optionalParam(query, 'FriendlyName');
    const numbers = Object.values(store.state.phoneNumbers).filter(
      (number) => (phoneNumber === undefined || number.phoneNumber === phoneNumber) && (friendlyName === undefined || number.friendlyName === friendlyName),
    );
    const resources = resourceContext(context, req);
    res.json(legacyPage(req, 'incoming_phone_numbers', numbers, (number) => serializePhoneNumber(resources, number)));
  });

  router.get('/IncomingPhoneNumbers/:numberSid.json', (req, res) => {
    res.json(serializePhoneNumber(resourceContext(context, req), numberOf(req)));
  });

  router.post('/IncomingPhoneNumbers/:numberSid.json', (req, res) => {
    const number = numberOf(req);
    const params = bodyParams(req);
    // An empty value clears a URL, as in Twilio's console.
    const urlUpdate = (name: string, current: string | null) => {
      const value = stringParam(params, name);
      return value === undefined ? current : value === '' ? null : value;
    };
    number.friendlyName = optionalParam(params, 'FriendlyName') ?? number.friendlyName;
    number.smsUrl = urlUpdate('SmsUrl', number.smsUrl);
    number.smsMethod = methodParam(params, 'SmsMethod') ?? number.smsMethod;
    number.smsFallbackUrl = urlUpdate('SmsFallbackUrl', number.smsFallbackUrl);
    number.smsFallbackMethod = methodParam(params, 'SmsFallbackMethod') ?? number.smsFallbackMethod;
    number.statusCallback = urlUpdate('StatusCallback', number.statusCallback);
    number.dateUpdated = store.now();
    store.changed();
    res.json(serializePhoneNumber(resourceContext(context, req), number));
  });

  router.delete('/IncomingPhoneNumbers/:numberSid.json', (req, res) => {
    delete store.state.phoneNumbers[numberOf(req).sid];
    store.changed();
    res.status(204).end();
  });

  return router;
}
