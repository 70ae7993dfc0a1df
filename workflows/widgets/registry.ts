// The one explicit list of widgets the interpreter runs (no self-registration: bundlers drop
// side-effect imports). A type missing here ends an execution with UNSUPPORTED_WIDGET; the widget
// catalogue (engine/widget-catalogue.ts) knows every Studio type for validation.
import type { WidgetDefinition } from '../engine/widget';
import { makeHttpRequestWidget } from './make-http-request';
import { runFunctionWidget } from './run-function';
import { runSubflowWidget } from './run-subflow';
import { sendAndWaitForReplyWidget } from './send-and-wait-for-reply';
import { sendMessageWidget } from './send-message';
import { sendToFlexWidget } from './send-to-flex';
import { setVariablesWidget } from './set-variables';
import { splitBasedOnWidget } from './split-based-on';
import { startConversationWidget } from './start-conversation';
import { triggerWidget } from './trigger';

export const WIDGET_LIST: readonly WidgetDefinition[] = [
  triggerWidget,
  sendMessageWidget,
  sendAndWaitForReplyWidget,
  splitBasedOnWidget,
  setVariablesWidget,
  startConversationWidget,
  sendToFlexWidget,
  makeHttpRequestWidget,
  runFunctionWidget,
  runSubflowWidget,
];

export const WIDGETS: ReadonlyMap<string, WidgetDefinition> = new Map(WIDGET_LIST.map((widget) => [widget.type, widget]));
