// The emulator: the one allowed stand-in for Twilio's cloud. It serves Twilio's own REST paths
// (Conversations v1, Messaging 2010-04-01, Flex v1 Interactions) with Basic auth, sends signed webhooks
// as Twilio does, and adds the device API under /Emulator and a phone page at /.
// createEmulator does not listen: the caller runs `app.listen(...)` (main.ts, tests).
import express from 'express';
import { addressConfigurationRouter } from './address-configuration';
import { requireAccountCredentials } from './auth';
import type { EmulatorContext, EmulatorLogger } from './context';
import { ConversationEvents } from './conversation-events';
import { ConversationModel } from './conversation-model';
import { conversationsRouter } from './conversations';
import { Delivery } from './delivery';
import { deviceRouter } from './device';
import { FaultInjector } from './faults';
import { flexRouter } from './flex';
import { messagingRouter } from './messaging';
import { phonePage } from './phone-page';
import { StateStore } from './state';
import { OrderedTaskQueue } from './task-queue';
import { twilioErrorHandler, unknownRoute } from './twilio-errors';
import { WebhookSender } from './webhooks';

export interface EmulatorOptions {
  accountSid: string;
  authToken: string;
  /** Where Studio's gateway lives: a studio-target webhook posts to `${publicUrl}/v1/Accounts/${accountSid}/Flows/${flowSid}`. */
  publicUrl: string;
  /** Snapshot file; without it the state lives in memory only. */
  stateFile?: string;
  /** Per webhook attempt; default 5000 as Twilio's. */
  webhookTimeoutMs?: number;
  /** Where webhook outcomes and unexpected errors are reported; silent by default. */
  logger?: EmulatorLogger;
}

export interface Emulator {
  app: express.Express;
  /** Forgets all state (as POST /Emulator/Reset). */
  reset(): void;
  /** Writes the state file now. */
  flush(): Promise<void>;
  /** Stops timers, cancels webhooks in flight and writes the state file. The caller closes its HTTP server. */
  close(): Promise<void>;
  /** Resolves once every queued webhook and status callback has been sent (handy in tests). */
  settled(): Promise<void>;
}

const silentLogger: EmulatorLogger = { info: () => undefined, warn: () => undefined };
const TIMER_SWEEP_INTERVAL_MS = 1000;

export function createEmulator(options: EmulatorOptions): Emulator {
  const logger = options.logger ?? silentLogger;
  const store = new StateStore({ stateFile: options.stateFile, onError: (error) => logger.warn({ err: error }, 'emulator state file problem') });
  const faults = new FaultInjector(store);
  const queue = new OrderedTaskQueue((error) => logger.warn({ err: error }, 'emulator background task failed'));
  const sender = new WebhookSender({
    authToken: options.authToken,
    timeoutMs: options.webhookTimeoutMs ?? 5000,
    onOutcome: (entry) =>
      entry.ok
        ? logger.info({ url: entry.url, status: entry.status, attempts: entry.attempts }, entry.description)
        : logger.warn({ url: entry.url, status: entry.status, attempts: entry.attempts, error: entry.error }, `webhook failed: ${entry.description}`),
  });
  // Timer and event-driven state changes always notify; REST ones only on X-Twilio-Webhook-Enabled (conversations.ts).
  const model = new ConversationModel(store, (change) => {
    if (change.reason !== 'API') events.stateUpdated(change, store.now());
  });
  const events = new ConversationEvents({ accountSid: options.accountSid, publicUrl: options.publicUrl.replace(/\/+$/, ''), model, queue, sender });
  const delivery = new Delivery({ accountSid: options.accountSid, store, faults, model, events, queue, sender });
  const context: EmulatorContext = {
    accountSid: options.accountSid,
    authToken: options.authToken,
    publicUrl: options.publicUrl,
    store,
    faults,
    queue,
    sender,
    model,
    events,
    delivery,
    logger,
  };

  const reset = () => {
    queue.clear();
    sender.abortAll();
    store.reset();
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '1mb' }), express.json({ limit: '1mb' }));
  // Timers are also swept every second; sweeping before each request makes reads exact.
  app.use((_req, _res, next) => {
    model.applyDueTimers();
    next();
  });
  app.get('/', (_req, res) => {
    res.type('html').send(phonePage());
  });
  app.use('/Emulator', deviceRouter(context, { reset }));
  const authenticated = requireAccountCredentials(options.accountSid, options.authToken);
  app.use('/v1/Services/:chatServiceSid', authenticated, conversationsRouter(context));
  app.use('/v1', authenticated, conversationsRouter(context), addressConfigurationRouter(context), flexRouter(context));
  app.use('/2010-04-01/Accounts/:accountSid', authenticated, messagingRouter(context));
  app.use(unknownRoute);
  app.use(twilioErrorHandler((error) => logger.warn({ err: error }, 'emulator route failed')));

  const sweeper = setInterval(() => model.applyDueTimers(), TIMER_SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    app,
    reset,
    flush: () => store.flush(),
    close: async () => {
      clearInterval(sweeper);
      queue.stop();
      sender.abortAll();
      await store.flush();
    },
    settled: () => queue.idle(),
  };
}
