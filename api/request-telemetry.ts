// Per-request logging and HTTP metrics. Each request gets a logger of its own (res.locals.log) that
// carries the execution SID when the URL names one (REST paths, the run view, status callbacks'
// ?ExecutionSid=), so every line about an execution can be found by its SID. One line per request.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../common/logger';
import type { ApiMetrics } from './metrics';

const EXECUTION_SID = /\bFN[0-9a-f]{32}\b/;
/** Polled by orchestrators and scrapers: logged at debug so they do not drown the rest. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/** The execution SID a request URL is about, if any. */
export function executionSidOf(url: string): string | undefined {
  return EXECUTION_SID.exec(url)?.[0];
}

/** The logger bound to this request (falls back to `fallback` outside the middleware). */
export function requestLog(res: Response, fallback: Logger): Logger {
  return (res.locals.log as Logger | undefined) ?? fallback;
}

/** The route pattern that answered (bounded label values), not the concrete path. */
function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || route.path === undefined) return 'unmatched';
  const pattern = Array.isArray(route.path) ? route.path.join('|') : String(route.path);
  return req.baseUrl + pattern;
}

export function requestTelemetry(log: Logger, metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const startedAt = process.hrtime.bigint();
    const executionSid = executionSidOf(req.originalUrl);
    // A child logger costs more than the rest of this middleware, and most requests log nothing else
    // (or nothing at all, below the level): it is made the first time something logs through it.
    let bound: Logger | undefined;
    const boundLog = () => (bound ??= executionSid ? log.child({ executionSid }) : log);
    Object.defineProperty(res.locals, 'log', { get: boundLog, enumerable: true, configurable: true });
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const route = routeLabel(req);
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpRequestDuration.observe({ method: req.method, route }, seconds);
      const path = req.originalUrl.split('?')[0];
      const level = QUIET_PATHS.has(path) ? 'debug' : 'info';
      if (!log.isLevelEnabled(level)) return;
      boundLog()[level]({ method: req.method, path, route, status: res.statusCode, durationMs: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}
