// Builds the execution context Studio exposes to Liquid (docs/studio-reference.md §3.1) from the
// event that started the execution.
import type { ExecutionContext, FlowChannel, JsonObject, StudioExecutionInput } from './types';

export function initialContext(input: StudioExecutionInput): ExecutionContext {
  const { trigger } = input;
  const base = (channel: FlowChannel, contactAddress: string): ExecutionContext => ({
    flow: { flow_sid: input.flowSid, sid: input.executionSid, channel, data: {}, variables: {} },
    contact: { channel: { address: contactAddress } },
    trigger: {},
    widgets: {},
  });
  switch (trigger.type) {
    case 'incomingRequest': {
      // REST: To is the contact, From the Twilio side; Parameters become flow.data (and trigger.request).
      const context = base({ address: trigger.from }, trigger.to);
      context.flow.data = trigger.parameters;
      context.trigger.request = { from: trigger.from, to: trigger.to, parameters: trigger.parameters };
      return context;
    }
    case 'incomingMessage': {
      const message = trigger.message;
      const context = base({ address: message.To ?? '' }, message.From ?? '');
      context.trigger.message = parseAttributeFields(message);
      return context;
    }
    case 'incomingConversationMessage': {
      // Studio is silent on the addresses of a Conversation execution; we follow the legacy chat rule
      // (flow.channel.address = the channel SID) and make the author the contact.
      const conversation = trigger.conversation;
      const conversationSid = conversation.ConversationSid ?? '';
      const context = base(
        { address: conversationSid, sid: conversationSid, type: 'conversation', status: 'active' },
        conversation.Author ?? conversation.From ?? '',
      );
      context.trigger.conversation = parseAttributeFields({
        ...conversation,
        From: conversation.From ?? conversation.Author ?? '',
        ChannelSid: conversation.ChannelSid ?? conversationSid,
      });
      return context;
    }
  }
}

/** Studio parses JSON-valued webhook fields (ChannelAttributes, Attributes, AddOns, Media) into objects. */
function parseAttributeFields(params: Record<string, string>): JsonObject {
  const result: JsonObject = { ...params };
  for (const key of ['ChannelAttributes', 'Attributes', 'AddOns', 'Media']) {
    const raw = params[key];
    if (typeof raw !== 'string' || raw === '') continue;
    try {
      result[key] = JSON.parse(raw);
    } catch {
      // not JSON: keep the string as Twilio sent it
    }
  }
  return result;
}
