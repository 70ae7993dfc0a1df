// send-message: sends one message to the contact and moves on without waiting for delivery.
// Events: `sent` (the API accepted it), `failed` (the API refused it, or the channel was handed off).
// Writes widgets.<name>.outbound: the message resource (Body, From, To, Sid, Status, ...).
import type { WidgetDefinition, WidgetOutcome } from '../engine/widget';
import { renderedOptional } from './properties';

export const sendMessageWidget: WidgetDefinition = {
  type: 'send-message',
  events: ['sent', 'failed'],
  async run({ state, render }, effects): Promise<WidgetOutcome> {
    const properties = state.properties ?? {};
    if (effects.isHandedOff()) {
      return { event: 'failed', output: {}, warnings: [{ code: '81011', message: 'The channel was handed off: the flow can no longer send' }] };
    }
    const outcome = await effects.sendMessage({
      widgetName: state.name,
      from: render(properties.from),
      to: render(properties.to),
      body: render(properties.body),
      mediaUrl: renderedOptional(render, properties.media_url),
      attributes: renderedOptional(render, properties.attributes),
    });
    if (outcome.ok) return { event: 'sent', output: { outbound: outcome.message } };
    return {
      event: 'failed',
      output: outcome.message ? { outbound: outcome.message } : ({} as Record<string, never>),
      warnings: [{ code: '81011', message: `Failed to send message: ${outcome.error.message}` }],
    };
  },
};
