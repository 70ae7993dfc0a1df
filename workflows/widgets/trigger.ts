// trigger: the entry of every flow. Its event is the way the execution started (REST API, inbound
// message, Conversation, call, or a parent flow); the interpreter fires it itself before any widget
// runs, so `run` is never reached. Writes nothing into widgets.<name>.
import type { WidgetDefinition } from '../engine/widget';

export const triggerWidget: WidgetDefinition = {
  type: 'trigger',
  events: ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'],
  async run() {
    throw new Error('The trigger fires when the execution starts; it cannot be transitioned to');
  },
};
