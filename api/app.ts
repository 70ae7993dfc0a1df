// createApp(deps): the Studio v2 API, the webhook gateway and /health, without listening (testable).
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { basicAuth } from './auth';
import { ExecutionService } from './execution-service';
import { refuseNulInParameters, refuseNulInUrl } from './nul-characters';
import { FLOW_WEBHOOK_ROUTE, flowWebhookHandler } from './gateway/flow-webhook';
import { createApiMetrics, type ApiMetrics } from './metrics';
import { requestLog, requestTelemetry } from './request-telemetry';
import { executionsRouter } from './routes/executions';
import { flowsRouter } from './routes/flows';
import { pagesRouter } from './routes/pages';
import type { ExecutionStore } from './store/execution-store';
import type { FlowStore } from './store/flow-store';
import { sendTwilioError, TwilioApiError } from './twilio-error';

/** Largest request body accepted (a 1,000-widget definition fits); larger ones get 413. */
export const BODY_LIMIT = '2mb';

export interface AppDependencies {
  config: Config;
  temporal: Client;
  flows: FlowStore;
  executions: ExecutionStore;
  log: Logger;
  /** Prometheus metrics served at GET /metrics (a fresh registry when unset). */
  metrics?: ApiMetrics;
}

declare module 'node:http' {
  interface IncomingMessage {
    rawBody?: string;
  }
}

export function createApp({ config, temporal, flows, executions, log, metrics = createApiMetrics() }: AppDependencies) {
  const app = express();
  app.disable('x-powered-by');
  const telemetry = requestTelemetry(log, metrics);
  const keepRawBody = (req: Request, _res: Response, buffer: Buffer) => {
    req.rawBody = buffer.toString('utf8');
  };
  // extended:false keeps Twilio's dotted keys literal (`MessagingBinding.Address`), as signatures need.
  const formBody = express.urlencoded({ extended: false, limit: BODY_LIMIT, verify: keepRawBody });
  const jsonBody = express.json({ limit: BODY_LIMIT, verify: keepRawBody });
  const service = new ExecutionService(config, temporal, executions, flows, { log, metrics });

  // The webhook gateway comes first, with only what it needs: it is the busiest route (every message a
  // contact sends, every delivery report), and each middleware or router layer a request passes costs CPU.
  app.post(FLOW_WEBHOOK_ROUTE, telemetry, refuseNulInUrl, formBody, jsonBody, flowWebhookHandler(config, executions, service, log, metrics));

  app.use(telemetry);
  app.use(formBody);
  app.use(jsonBody);
  app.use(refuseNulInUrl);

  // Unauthenticated, as Prometheus scrapes: counters only, no SID, no address, no secret.
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/health', async (_req, res) => {
    try {
      const response = await temporal.workflowService.describeTaskQueue({
        namespace: config.temporalNamespace,
        taskQueue: { name: config.taskQueue },
        taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
      });
      const workers = response.pollers?.length ?? 0;
      const ready = workers > 0;
      res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', api: 'ok', temporal: 'ok', workers, task_queue: config.taskQueue });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', api: 'ok', temporal: String((error as Error).message ?? error), workers: 0 });
    }
  });

  app.use('/v2', basicAuth(config.accountSid, config.authToken));
  app.use('/v2', refuseNulInParameters);
  app.use(flowsRouter(config, flows));
  app.use(executionsRouter(config, executions, service));
  app.use(pagesRouter(config)); // the run view: /flows/{FlowSid}[/executions/{ExecutionSid}]

  app.use((req: Request, res: Response) => sendTwilioError(res, new TwilioApiError(404, 20404, `The requested resource ${req.path} was not found`)));
  // Error handler: Twilio's shape always; a 4xx for bad input, never a crash.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof TwilioApiError) return sendTwilioError(res, error);
    const status = (error as { status?: number; type?: string }).status;
    if (status === 413) return sendTwilioError(res, new TwilioApiError(413, 20413, `Request body larger than ${BODY_LIMIT}`));
    if (status && status >= 400 && status < 500) return sendTwilioError(res, new TwilioApiError(status, 20001, (error as Error).message));
    requestLog(res, log).error({ err: error, path: req.path }, 'request failed');
    sendTwilioError(res, new TwilioApiError(500, 20500, 'Internal Server Error'));
  });
  return { app, service, metrics };
}
