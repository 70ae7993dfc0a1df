// The API's Prometheus metrics (GET /metrics): executions started, webhooks accepted or rejected, and
// HTTP requests. Each app has its own registry, so several apps in one process (tests) never collide.
// Executions ended are counted by the worker, which sees every ending (worker/metrics.ts).
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export type WebhookOutcome = 'accepted' | 'rejected';

export interface ApiMetrics {
  registry: Registry;
  executionsStarted: Counter<'trigger'>;
  webhooks: Counter<'outcome'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route'>;
}

/** @param processMetrics also export Node's process metrics (CPU, memory, event loop): the API process does, tests do not */
export function createApiMetrics({ processMetrics = false }: { processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    executionsStarted: new Counter({
      name: 'studio_executions_started_total',
      help: 'Studio executions started, by trigger type (incomingRequest, incomingMessage, incomingConversationMessage)',
      labelNames: ['trigger'],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'studio_webhooks_total',
      help: 'Requests to the flow webhook URL: accepted (valid signature and account) or rejected',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'studio_http_requests_total',
      help: 'HTTP requests answered by the API, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'studio_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'],
      registers: [registry],
    }),
  };
}
