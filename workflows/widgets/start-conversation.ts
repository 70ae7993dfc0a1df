// start-conversation: on a REST-triggered execution, creates a Conversation with one participant and
// registers the onMessageAdded webhook that brings the contact's replies back (seed document 000,
// JSON keys of DESIGN.md decision 12). The Conversation becomes the execution's channel.
// Events: `created`, `failed` (not REST-triggered; a channel already exists; the Conversation, the
// participant or the webhook could not be created — nothing half-made is left behind).
// Writes widgets.<name>.conversation (the resource, with participants[0]), widgets.<name>.webhook_sid,
// and flow.channel = { sid, type: 'conversation', address, status, ... }.
import type { StartConversationRequest } from '../engine/effects';
import type { JsonObject, JsonValue } from '../engine/types';
import type { WidgetDefinition, WidgetOutcome } from '../engine/widget';
import { renderedOptional } from './properties';

const MESSAGING_PARTICIPANT_TYPES = new Set(['messaging', 'sms', 'whatsapp']);

/**
 * The characters the Conversations API reserves in names (its User resource: "avoid the following
 * reserved characters ! * ' ( ) ; : @ & = + $ , / ? % # [ ] for values such as identity and friendly
 * name"). Twilio's API only advises against them; Studio's widget refuses them, so the check is here,
 * after Liquid, before anything is created.
 */
const RESERVED_NAME_CHARACTERS = /[!*'();:@&=+$,/?%#[\]]/;

function failed(message: string): WidgetOutcome {
  return { event: 'failed', output: { error: message }, warnings: [{ code: 'start-conversation', message }] };
}

export const startConversationWidget: WidgetDefinition = {
  type: 'start-conversation',
  events: ['created', 'failed'],
  async run({ state, render, context }, effects) {
    const properties = state.properties ?? {};
    if (effects.triggerType() !== 'incomingRequest') {
      return failed('Start Conversation can only be used in flows triggered by the REST API');
    }
    if (context.flow.channel.sid) {
      return failed(`The execution already has an active channel (${String(context.flow.channel.sid)})`);
    }
    const participants = Array.isArray(properties.participants) ? properties.participants : [];
    if (participants.length !== 1 || typeof participants[0] !== 'object' || participants[0] === null) {
      return failed('Start Conversation needs exactly one participant');
    }
    const participant = participants[0] as Record<string, unknown>;
    const optional = (value: unknown) => renderedOptional(render, value);
    const participantType = String(participant.type ?? 'messaging');
    let participantRequest: StartConversationRequest['participant'];
    if (MESSAGING_PARTICIPANT_TYPES.has(participantType)) {
      const address = optional(participant.messaging_binding_address);
      const proxyAddress = optional(participant.messaging_binding_proxy_address);
      if (!address || !proxyAddress) return failed('A messaging participant needs a binding address and a proxy address');
      participantRequest = { type: 'messaging', address, proxyAddress, attributes: optional(participant.attributes), roleSid: optional(participant.role_sid) };
    } else if (participantType === 'chat') {
      const identity = optional(participant.identity);
      if (!identity) return failed('A chat participant needs an identity');
      participantRequest = { type: 'chat', identity, attributes: optional(participant.attributes), roleSid: optional(participant.role_sid) };
    } else {
      return failed(`Unknown participant type ${participantType}`);
    }
    const friendlyName = optional(properties.friendly_name);
    if (friendlyName !== undefined && friendlyName.length > 256) return failed('Friendly Name is longer than 256 characters');
    const uniqueName = optional(properties.unique_name);
    for (const [label, name] of [['Friendly Name', friendlyName], ['Unique Name', uniqueName]] as const) {
      const reserved = name === undefined ? null : RESERVED_NAME_CHARACTERS.exec(name);
      if (reserved) return failed(`${label} contains the reserved character ${reserved[0]} (not allowed: ! * ' ( ) ; : @ & = + $ , / ? % # [ ])`);
    }
    const attributes = optional(properties.attributes);
    if (attributes !== undefined && !isJsonObject(attributes)) return failed('Attributes must be a JSON object');

    const conversationServiceSid = optional(properties.conversation_service_sid);
    const outcome = await effects.startConversation({
      widgetName: state.name,
      conversationServiceSid,
      messagingServiceSid: optional(properties.messaging_service_sid),
      uniqueName,
      friendlyName,
      attributes,
      timersInactive: optional(properties.timers_inactive),
      timersClosed: optional(properties.timers_closed),
      emailBindingAddress: optional(properties.email_binding_address),
      emailBindingName: optional(properties.email_binding_name),
      participant: participantRequest,
    });
    if (!outcome.ok) return failed(`Could not create the ${outcome.stage}: ${outcome.error.message}`);

    const conversation: JsonObject = { ...outcome.conversation, participants: [outcome.participant] };
    const conversationSid = String(outcome.conversation.sid);
    const address = participantRequest.type === 'messaging' ? participantRequest.proxyAddress : conversationSid;
    const closeOnEnd = properties.close_conversation_on_execution_end === true || properties.close_conversation_on_execution_end === 'true';
    return {
      event: 'created',
      output: { conversation, webhook_sid: outcome.webhookSid, close_channel_on_execution_end: closeOnEnd },
      channel: {
        sid: conversationSid,
        type: 'conversation',
        address,
        status: 'active',
        details: conversation as JsonValue,
      },
      teardown: { conversationSid, conversationServiceSid, webhookSid: outcome.webhookSid, closeConversation: closeOnEnd },
    };
  },
};

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
