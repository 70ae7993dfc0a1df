// The device API (DESIGN.md "Emulator device API"): the phone or chat user on the other side of Twilio,
// plus the test controls (faults, reset, clock, webhook log). It needs no credentials: it is the phone.
import express from 'express';
import type { Router } from 'express';
import type { EmulatorContext } from './context';
import { routeInbound } from './inbound';
import { bodyParams, integerParam, listParam, optionalParam, queryParams, stringParam } from './request-params';
import { serializeDeviceMessage } from './serializers';
import type { DeviceMessageRecord } from './state';
import { parseIsoDuration } from './timers';
import { badRequest, missingParameter, TwilioErrorCode } from './twilio-errors';

export interface DeviceRouterControls {
  /** Forgets all state (POST /Emulator/Reset). */
  reset(): void;
}

export function deviceRouter(context: EmulatorContext, controls: DeviceRouterControls): Router {
  const router = express.Router();
  const { store, faults, model } = context;

  router.post('/Inbound', (req, res) => {
    const params = bodyParams(req);
    const from = optionalParam(params, 'From');
    const to = optionalParam(params, 'To');
    if (from === undefined) throw badRequest("A 'From' address is required.", TwilioErrorCode.fromRequired);
    if (to === undefined) throw badRequest("A 'To' address is required.", TwilioErrorCode.toRequired);
    const body = stringParam(params, 'Body') ?? '';
    const mediaUrls = listParam(params, 'MediaUrl');
    if (body === '' && mediaUrls.length === 0) throw badRequest('Message body is required.', TwilioErrorCode.messageBodyRequired);
    res.status(201).json(routeInbound(context, { from, to, body, mediaUrls }));
  });

  router.get('/Outbound', (req, res) => {
    const to = optionalParam(queryParams(req), 'To');
    const inboxes = store.state.deviceInboxes;
    const messages: DeviceMessageRecord[] = to === undefined ? Object.values(inboxes).flat() : (inboxes[to] ?? []);
    const oldestFirst = [...messages].sort((a, b) => a.dateCreated - b.dateCreated);
    res.json({ messages: oldestFirst.map(serializeDeviceMessage) });
  });

  router.post('/Faults', (req, res) => {
    const params = bodyParams(req);
    const operation = optionalParam(params, 'Operation');
    if (operation === undefined) throw missingParameter('Operation');
    const fault = faults.add({
      operation,
      address: optionalParam(params, 'Address'),
      count: integerParam(params, 'Count'),
      httpStatus: integerParam(params, 'Status'),
      code: integerParam(params, 'Code'),
      deliveryStatus: optionalParam(params, 'DeliveryStatus'),
    });
    res.status(201).json(faultJson(fault));
  });

  router.get('/Faults', (_req, res) => {
    res.json({ faults: faults.list().map(faultJson) });
  });

  router.delete('/Faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });

  router.post('/Reset', (_req, res) => {
    controls.reset();
    res.status(204).end();
  });

  router.get('/Clock', (_req, res) => {
    res.json(clockJson(context));
  });

  // Moves the emulator's clock forward so conversation timers fire without waiting.
  router.post('/Clock', (req, res) => {
    const advance = optionalParam(bodyParams(req), 'Advance');
    if (advance === undefined) throw missingParameter('Advance');
    const ms = /^\d+$/.test(advance) ? Number(advance) : parseIsoDuration(advance);
    if (ms === undefined) throw badRequest(`Advance must be milliseconds or an ISO 8601 duration, got "${advance}"`);
    store.state.clockOffsetMs += ms;
    store.changed();
    model.applyDueTimers();
    res.json(clockJson(context));
  });

  // Who can write to whom, for the phone page's pickers.
  router.get('/Directory', (_req, res) => {
    const state = store.state;
    const twilioAddresses = new Set<string>();
    const devices = new Set<string>(Object.keys(state.deviceInboxes));
    for (const number of Object.values(state.phoneNumbers)) twilioAddresses.add(number.phoneNumber);
    for (const configuration of Object.values(state.addressConfigurations)) twilioAddresses.add(configuration.address);
    for (const conversation of Object.values(state.conversations)) {
      if (conversation.state === 'closed') continue;
      twilioAddresses.add(conversation.uniqueName ?? conversation.sid);
      for (const participant of model.participants(conversation)) {
        if (participant.messagingBinding) {
          twilioAddresses.add(participant.messagingBinding.proxyAddress);
          devices.add(participant.messagingBinding.address);
        } else if (participant.identity) {
          devices.add(participant.identity);
        }
      }
    }
    res.json({ twilio_addresses: [...twilioAddresses].sort(), devices: [...devices].sort() });
  });

  router.get('/Webhooks', (_req, res) => {
    res.json({ webhooks: context.sender.log });
  });

  return router;
}

function faultJson(fault: { operation: string; address: string | null; remaining: number; httpStatus: number; code: number; deliveryStatus: string }) {
  return {
    operation: fault.operation,
    address: fault.address,
    count: fault.remaining,
    status: fault.httpStatus,
    code: fault.code,
    delivery_status: fault.deliveryStatus,
  };
}

function clockJson(context: EmulatorContext) {
  return { now: new Date(context.store.now()).toISOString(), offset_ms: context.store.state.clockOffsetMs };
}
