// Flex v1 Interactions (what Studio's Send to Flex creates): the Interaction echoes its Channel with a
// channel SID (UO…) and its Routing with the TaskRouter task it would have created (WT…). No agent
// desktop exists here; the point is that a flow's hand-off succeeds or fails as it would against Twilio.
import express from 'express';
import type { Router } from 'express';
import { newSid } from '../common/sid';
import type { EmulatorContext } from './context';
import { resourceContext } from './context';
import { metaPage } from './paging';
import { bodyParams, jsonObjectParam, optionalParam } from './request-params';
import { serializeInteraction } from './serializers';
import type { InteractionRecord } from './state';
import { missingParameter, notFound } from './twilio-errors';

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function flexRouter(context: EmulatorContext): Router {
  const router = express.Router();
  const { store, faults } = context;

  const interactionOf = (sid: string): InteractionRecord => {
    const interaction = store.state.interactions[sid];
    if (!interaction) throw notFound(`/Interactions/${sid}`);
    return interaction;
  };

  router.post('/Interactions', (req, res) => {
    const params = bodyParams(req);
    const channelInput = jsonObjectParam(params, 'Channel');
    if (!channelInput) throw missingParameter('Channel');
    const routingInput = jsonObjectParam(params, 'Routing') ?? {};
    const channelProperties = asObject(channelInput.properties);
    const address = typeof channelProperties.media_channel_sid === 'string' ? [channelProperties.media_channel_sid] : [];
    faults.failIfFaulted('createInteraction', address);
    const now = store.now();
    const taskSid = newSid('WT');
    const routingProperties = asObject(routingInput.properties);
    const interaction: InteractionRecord = {
      sid: newSid('KD'),
      channel: { ...channelInput, sid: newSid('UO') },
      routing: {
        ...routingInput,
        reservation: null,
        properties: {
          ...routingProperties,
          sid: taskSid,
          task_sid: taskSid,
          account_sid: context.accountSid,
          workspace_sid: routingProperties.workspace_sid ?? newSid('WS'),
          workflow_sid: routingProperties.workflow_sid ?? null,
          assignment_status: 'pending',
          priority: routingProperties.priority ?? 0,
          timeout: routingProperties.timeout ?? 86400,
          attributes: typeof routingProperties.attributes === 'string' ? routingProperties.attributes : JSON.stringify(routingProperties.attributes ?? {}),
          date_created: Math.floor(now / 1000),
          date_updated: Math.floor(now / 1000),
        },
      },
      interactionContextSid: optionalParam(params, 'InteractionContextSid') ?? null,
      webhookTtid: optionalParam(params, 'WebhookTtid') ?? null,
      dateCreated: now,
    };
    store.state.interactions[interaction.sid] = interaction;
    store.changed();
    res.status(201).json(serializeInteraction(resourceContext(context, req), interaction));
  });

  router.get('/Interactions/:sid', (req, res) => {
    res.json(serializeInteraction(resourceContext(context, req), interactionOf(req.params.sid)));
  });

  router.get('/Interactions/:sid/Channels', (req, res) => {
    const interaction = interactionOf(req.params.sid);
    const base = resourceContext(context, req).baseUrl;
    res.json(
      metaPage(req, 'channels', [interaction.channel], (channel) => ({
        ...channel,
        interaction_sid: interaction.sid,
        status: 'active',
        url: `${base}/v1/Interactions/${interaction.sid}/Channels/${String(channel.sid)}`,
      })),
    );
  });

  return router;
}
