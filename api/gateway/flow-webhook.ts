// The webhook-to-signal gateway at the flow webhook URL (DESIGN.md): verify X-Twilio-Signature
// against PUBLIC_URL, map the body (map-webhook.ts), then signal the execution it belongs to or start
// one. It answers at once: it never waits on the workflow's progress.
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import twilio from 'twilio';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import type { InboundMessage, TriggerEvent } from '../../workflows/engine/types';
import type { ExecutionService } from '../execution-service';
import type { ApiMetrics } from '../metrics';
import { conversationRouteKey, pairRouteKey, type ExecutionStore } from '../store/execution-store';
import { sendTwilioError, TwilioApiError } from '../twilio-error';
import { mapWebhook } from './map-webhook';

/** True when the request carries a valid signature of PUBLIC_URL + path (form, or JSON with bodySHA256). */
export function hasValidSignature(req: Request, config: Config): boolean {
  const signature = req.header('X-Twilio-Signature');
  if (!signature) return false;
  const url = config.publicUrl + req.originalUrl;
  if (url.includes('bodySHA256=')) {
    const rawBody = (req as Request & { rawBody?: string }).rawBody ?? '';
    return twilio.validateRequestWithBody(config.authToken, signature, url, rawBody);
  }
  const params = req.is('application/x-www-form-urlencoded') ? ((req.body as Record<string, string>) ?? {}) : {};
  // The URL as configured is the one Twilio signs, and one of the variants validateRequest accepts; it
  // tries it after the URL without its port, each try an HMAC of every parameter. So it is tried first.
  return signedAsIs(config.authToken, signature, url, params) || twilio.validateRequest(config.authToken, signature, url, params);
}

function signedAsIs(authToken: string, signature: string, url: string, params: Record<string, string>): boolean {
  const expected = Buffer.from(twilio.getExpectedTwilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Where Twilio posts a flow's webhooks (common/config.ts flowWebhookUrl builds the URL). */
export const FLOW_WEBHOOK_ROUTE = '/v1/Accounts/:accountSid/Flows/:flowSid';

/** The handler of POST FLOW_WEBHOOK_ROUTE; it expects the body parsed (form or JSON) and `rawBody` kept. */
export function flowWebhookHandler(
  config: Config,
  executions: ExecutionStore,
  service: ExecutionService,
  log: Logger,
  metrics?: Pick<ApiMetrics, 'webhooks'>,
): (req: Request, res: Response) => Promise<void> {
  const count = (outcome: 'accepted' | 'rejected') => metrics?.webhooks.inc({ outcome });

  async function handle(req: Request, res: Response): Promise<void> {
    if (!hasValidSignature(req, config)) {
      count('rejected');
      log.warn({ flowSid: req.params.flowSid }, 'webhook rejected: missing or invalid X-Twilio-Signature');
      sendTwilioError(res, new TwilioApiError(403, 20403, 'Invalid X-Twilio-Signature'));
      return;
    }
    if (req.params.accountSid !== config.accountSid) {
      count('rejected');
      log.warn({ flowSid: req.params.flowSid }, 'webhook rejected: unknown account');
      sendTwilioError(res, new TwilioApiError(404, 20404, 'Unknown account'));
      return;
    }
    const flowSid = req.params.flowSid as string;
    const meaning = mapWebhook(req.body, req.query as Record<string, unknown>);
    count('accepted');
    const acknowledge = (): void => {
      if (meaning.kind === 'messaging-message') res.type('text/xml').send('<Response/>');
      else res.status(200).end();
    };

    switch (meaning.kind) {
      case 'ignored':
        log.debug({ flowSid, why: meaning.why }, 'webhook ignored');
        return acknowledge();
      case 'delivery':
        if (meaning.executionSid) {
          const delivered = await service.signalDelivery(meaning.executionSid, meaning.update);
          log.info({ flowSid, executionSid: meaning.executionSid, messageSid: meaning.update.messageSid, status: meaning.update.status, delivered }, 'delivery update');
        }
        return acknowledge();
      case 'conversation-message': {
        const delivered = meaning.executionSid
          ? await service.signalInbound(meaning.executionSid, meaning.message)
          : await deliverOrStart(flowSid, conversationRouteKey(meaning.conversationSid), meaning.message, {
              type: 'incomingConversationMessage',
              conversation: meaning.message.params,
            }, meaning.message.params.Author ?? '', meaning.conversationSid);
        // Routed by the SID in the webhook's query, or to the execution deliverOrStart found or started.
        const executionSid = meaning.executionSid ?? (typeof delivered === 'string' ? delivered : undefined);
        log.info({ flowSid, executionSid, messageSid: meaning.message.messageSid, delivered }, 'conversation message');
        return acknowledge();
      }
      case 'messaging-message': {
        const delivered = await deliverOrStart(flowSid, pairRouteKey(meaning.from, meaning.to), meaning.message, {
          type: 'incomingMessage',
          message: meaning.message.params,
        }, meaning.from, meaning.to);
        log.info({ flowSid, executionSid: delivered, messageSid: meaning.message.messageSid, delivered }, 'messaging message');
        return acknowledge();
      }
    }
  }

  /** Signals the active execution on the route, or starts one with this message as its trigger. */
  async function deliverOrStart(
    flowSid: string,
    routeKey: string,
    message: InboundMessage,
    trigger: TriggerEvent,
    contactAddress: string,
    channelAddress: string,
  ): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const activeSid = await executions.activeSidOnRoute(flowSid, routeKey);
      if (activeSid && (await service.signalInbound(activeSid, message))) {
        await executions.recordDelivery(flowSid, message.messageSid, activeSid);
        return activeSid;
      }
      // A retried webhook (Twilio retries on a timeout) whose message started an execution, or was
      // delivered to one, that has ended since must not start another one.
      const earlier = await executions.handledBy(flowSid, message.messageSid);
      if (earlier) return earlier;
      const started = await service.startFlow({ flowSid, revisionChoice: 'published', trigger, contactAddress, channelAddress, routeKey, initiatedBy: message.messageSid });
      if (started.started) return started.execution.sid;
      if ('missing' in started) throw new TwilioApiError(404, 20404, `Flow ${flowSid} has no published revision`);
      // Another request started one first: deliver to it on the next turn.
    }
    throw new Error(`Could not route message ${message.messageSid} on ${routeKey}`);
  }

  return handle;
}
