// send-and-wait-for-reply: sends a message, then waits (a durable timer) for the contact's reply.
// Events: `incomingMessage` (the reply), `timeout` (no reply within `timeout` seconds, default 3600),
// `deliveryFailure` (the message could not be sent or delivered).
// Writes widgets.<name>.outbound (the message sent) and, on a reply, widgets.<name>.inbound (the
// reply's webhook parameters: Body, From, To, MessageSid, ...).
import type { WidgetDefinition, WidgetOutcome } from '../engine/widget';
import { renderedOptional, secondsProperty } from './properties';

const DEFAULT_TIMEOUT_SECONDS = 3600;

export const sendAndWaitForReplyWidget: WidgetDefinition = {
  type: 'send-and-wait-for-reply',
  events: ['incomingMessage', 'timeout', 'deliveryFailure'],
  async run({ state, render, context }, effects): Promise<WidgetOutcome> {
    const properties = state.properties ?? {};
    if (effects.isHandedOff()) return { event: 'deliveryFailure', output: {} };
    const sent = await effects.sendMessage({
      widgetName: state.name,
      from: render(properties.from),
      // Studio's widget has no `to`: it always answers the contact.
      to: renderedOptional(render, properties.to) ?? context.contact.channel.address,
      body: render(properties.body),
      mediaUrl: renderedOptional(render, properties.media_url),
      attributes: renderedOptional(render, properties.attributes),
    });
    if (!sent.ok) {
      return {
        event: 'deliveryFailure',
        output: sent.message ? { outbound: sent.message } : ({} as Record<string, never>),
        warnings: [{ code: '81011', message: `Failed to send message: ${sent.error.message}` }],
      };
    }
    const outbound = sent.message;
    const sentMessageSid = typeof outbound.Sid === 'string' ? outbound.Sid : undefined;
    const waited = await effects.waitForReply({
      widgetName: state.name,
      timeoutSeconds: secondsProperty(render, properties.timeout, DEFAULT_TIMEOUT_SECONDS),
      sentMessageSid,
    });
    switch (waited.kind) {
      case 'reply':
        return { event: 'incomingMessage', output: { outbound, inbound: waited.message.params } };
      case 'timeout':
        return { event: 'timeout', output: { outbound } };
      case 'deliveryFailure':
        return {
          event: 'deliveryFailure',
          output: { outbound: { ...outbound, Status: waited.status, ErrorCode: waited.errorCode ?? null } },
        };
    }
  },
};
