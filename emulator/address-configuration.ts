// Conversations Address Configuration (`/v1/Configuration/Addresses`): which Twilio-side addresses
// auto-create a Conversation for an inbound message that no active Conversation is bound to, and what
// gets attached to it (a Studio Flow, a webhook, or nothing).
import express from 'express';
import type { Request, Router } from 'express';
import { isSid, newSid } from '../common/sid';
import type { EmulatorContext } from './context';
import { resourceContext } from './context';
import { metaPage } from './paging';
import { booleanParam, bodyParams, enumParam, integerParam, listParam, optionalParam, pathParam, queryParams } from './request-params';
import type { Params } from './request-params';
import { serializeAddressConfiguration } from './serializers';
import type { AddressConfigurationRecord, AutoCreationSettings, EmulatorState } from './state';
import { badRequest, conflict, missingParameter, notFound } from './twilio-errors';

const ADDRESS_TYPES = ['sms', 'whatsapp', 'messenger', 'gbm', 'email', 'rcs', 'apple', 'chat'] as const;

/** The enabled configuration that handles messages sent to `to`, if any. */
export function findAutoCreatingConfiguration(state: EmulatorState, to: string): AddressConfigurationRecord | undefined {
  return Object.values(state.addressConfigurations).find(
    (configuration) => configuration.autoCreation.enabled && (configuration.address === to || `${configuration.type}:${configuration.address}` === to),
  );
}

function autoCreationUpdate(params: Params): Partial<AutoCreationSettings> {
  const update: Partial<AutoCreationSettings> = {};
  const enabled = booleanParam(params, 'AutoCreation.Enabled');
  if (enabled !== undefined) update.enabled = enabled;
  const type = enumParam(params, 'AutoCreation.Type', ['webhook', 'studio', 'default'] as const);
  if (type !== undefined) update.type = type;
  const serviceSid = optionalParam(params, 'AutoCreation.ConversationServiceSid');
  if (serviceSid !== undefined) {
    if (!isSid(serviceSid, 'IS')) throw badRequest(`AutoCreation.ConversationServiceSid must be an IS SID, got "${serviceSid}"`);
    update.conversationServiceSid = serviceSid;
  }
  const webhookUrl = optionalParam(params, 'AutoCreation.WebhookUrl');
  if (webhookUrl !== undefined) update.webhookUrl = webhookUrl;
  const webhookMethod = enumParam(params, 'AutoCreation.WebhookMethod', ['get', 'post'] as const);
  if (webhookMethod !== undefined) update.webhookMethod = webhookMethod;
  const filters = listParam(params, 'AutoCreation.WebhookFilters');
  if (filters.length > 0) update.webhookFilters = filters;
  const flowSid = optionalParam(params, 'AutoCreation.StudioFlowSid');
  if (flowSid !== undefined) {
    if (!isSid(flowSid, 'FW')) throw badRequest(`AutoCreation.StudioFlowSid must be a Flow SID (FW…), got "${flowSid}"`);
    update.studioFlowSid = flowSid;
  }
  const retryCount = integerParam(params, 'AutoCreation.StudioRetryCount');
  if (retryCount !== undefined) {
    if (retryCount < 0 || retryCount > 3) throw badRequest('AutoCreation.StudioRetryCount must be between 0 and 3');
    update.studioRetryCount = retryCount;
  }
  return update;
}

function assertUsable(settings: AutoCreationSettings): void {
  if (!settings.enabled) return;
  if (settings.type === 'studio' && !settings.studioFlowSid) throw badRequest('AutoCreation.StudioFlowSid is required when AutoCreation.Type is studio');
  if (settings.type === 'webhook' && !settings.webhookUrl) throw badRequest('AutoCreation.WebhookUrl is required when AutoCreation.Type is webhook');
}

export function addressConfigurationRouter(context: EmulatorContext): Router {
  const router = express.Router();
  const { store } = context;

  const configurationOf = (req: Request): AddressConfigurationRecord => {
    const key = pathParam(req, 'sid');
    const configuration = store.state.addressConfigurations[key] ?? Object.values(store.state.addressConfigurations).find((candidate) => candidate.address === key);
    if (!configuration) throw notFound(`/Configuration/Addresses/${key}`);
    return configuration;
  };

  router.post('/Configuration/Addresses', (req, res) => {
    const params = bodyParams(req);
    const type = enumParam(params, 'Type', ADDRESS_TYPES);
    const address = optionalParam(params, 'Address');
    if (type === undefined) throw missingParameter('Type');
    if (address === undefined) throw missingParameter('Address');
    if (Object.values(store.state.addressConfigurations).some((existing) => existing.address === address)) {
      throw conflict(`An address configuration for ${address} already exists`);
    }
    const autoCreation: AutoCreationSettings = {
      enabled: false,
      type: 'default',
      conversationServiceSid: null,
      webhookUrl: null,
      webhookMethod: null,
      webhookFilters: [],
      studioFlowSid: null,
      studioRetryCount: null,
      ...autoCreationUpdate(params),
    };
    assertUsable(autoCreation);
    const now = store.now();
    const configuration: AddressConfigurationRecord = {
      sid: newSid('IG'),
      type,
      address,
      friendlyName: optionalParam(params, 'FriendlyName') ?? null,
      addressCountry: optionalParam(params, 'AddressCountry') ?? null,
      autoCreation,
      dateCreated: now,
      dateUpdated: now,
    };
    store.state.addressConfigurations[configuration.sid] = configuration;
    store.changed();
    res.status(201).json(serializeAddressConfiguration(resourceContext(context, req), configuration));
  });

  router.get('/Configuration/Addresses', (req, res) => {
    const type = optionalParam(queryParams(req), 'Type');
    const configurations = Object.values(store.state.addressConfigurations).filter((configuration) => type === undefined || configuration.type === type.toLowerCase());
    const resources = resourceContext(context, req);
    res.json(metaPage(req, 'address_configurations', configurations, (configuration) => serializeAddressConfiguration(resources, configuration), 50));
  });

  router.get('/Configuration/Addresses/:sid', (req, res) => {
    res.json(serializeAddressConfiguration(resourceContext(context, req), configurationOf(req)));
  });

  router.post('/Configuration/Addresses/:sid', (req, res) => {
    const configuration = configurationOf(req);
    const params = bodyParams(req);
    const autoCreation = { ...configuration.autoCreation, ...autoCreationUpdate(params) };
    assertUsable(autoCreation);
    configuration.autoCreation = autoCreation;
    const friendlyName = optionalParam(params, 'FriendlyName');
    if (friendlyName !== undefined) configuration.friendlyName = friendlyName;
    configuration.dateUpdated = store.now();
    store.changed();
    res.json(serializeAddressConfiguration(resourceContext(context, req), configuration));
  });

  router.delete('/Configuration/Addresses/:sid', (req, res) => {
    delete store.state.addressConfigurations[configurationOf(req).sid];
    store.changed();
    res.status(204).end();
  });

  return router;
}
