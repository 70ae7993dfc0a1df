// What every route of the emulator works with; app.ts builds one per emulator.
import type { Request } from 'express';
import type { ConversationEvents } from './conversation-events';
import type { ConversationModel } from './conversation-model';
import type { Delivery } from './delivery';
import type { FaultInjector } from './faults';
import { baseUrlOf } from './request-params';
import type { ResourceContext } from './serializers';
import type { StateStore } from './state';
import type { OrderedTaskQueue } from './task-queue';
import type { WebhookSender } from './webhooks';

export interface EmulatorLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
}

export interface EmulatorContext {
  accountSid: string;
  authToken: string;
  publicUrl: string;
  store: StateStore;
  faults: FaultInjector;
  queue: OrderedTaskQueue;
  sender: WebhookSender;
  model: ConversationModel;
  events: ConversationEvents;
  delivery: Delivery;
  logger: EmulatorLogger;
}

/** The serializers' view of a request: absolute URLs start at the host the caller used. */
export function resourceContext(context: EmulatorContext, req: Request): ResourceContext {
  return { baseUrl: baseUrlOf(req), accountSid: context.accountSid, defaultChatServiceSid: context.store.state.defaultChatServiceSid };
}
