// send-to-flex: hands the contact to a Flex agent (DESIGN.md decision 7) by creating a Flex
// Interaction. On success the channel is handed off: the onMessageAdded webhook is removed and later
// send widgets take `failed`.
// Events: `callComplete` (the Interaction and its task were created), `failedToEnqueue` (Flex refused),
// `callFailure` (voice only; never fired for messaging).
// Writes widgets.<name>: the Interaction resource (sid, channel, routing, url, ...).
import type { WidgetDefinition, WidgetOutcome } from '../engine/widget';
import { renderedOptional, secondsProperty } from './properties';

export const sendToFlexWidget: WidgetDefinition = {
  type: 'send-to-flex',
  // composerStarted exists in Studio's schema (Flex's outbound composer); a messaging hand-off never fires it.
  events: ['callComplete', 'failedToEnqueue', 'callFailure', 'composerStarted'],
  async run({ state, render, context }, effects): Promise<WidgetOutcome> {
    const properties = state.properties ?? {};
    if (effects.isHandedOff()) return { event: 'failedToEnqueue', output: {}, warnings: [{ code: '81015', message: 'The channel was already handed off' }] };
    const priority = secondsProperty(render, properties.priority, 0);
    const outcome = await effects.createFlexInteraction({
      widgetName: state.name,
      workflowSid: render(properties.workflow),
      taskChannel: render(properties.channel),
      attributes: renderedOptional(render, properties.attributes) ?? '{}',
      priority,
      timeout: secondsProperty(render, properties.timeout, 3600),
    });
    if (!outcome.ok) {
      return { event: 'failedToEnqueue', output: {}, warnings: [{ code: '81015', message: `Task not created: ${outcome.error.message}` }] };
    }
    return {
      event: 'callComplete',
      output: outcome.interaction,
      channel: { ...context.flow.channel, status: 'handed off' },
    };
  },
};
