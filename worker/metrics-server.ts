// The worker's Prometheus endpoint, GET /metrics on WORKER_METRICS_PORT: the Studio counters the
// workflow's sinks move (prom-client), followed by the Temporal SDK core's own metrics, which the core
// serves on a loopback port of its own (WORKER_SDK_METRICS_PORT) and which are fetched per scrape.
// One scrape target per worker; the two sets of names never collide (studio_* and temporal_*).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  port: number;
  /** Bind address (default 0.0.0.0: Prometheus scrapes from elsewhere; metrics hold no SID, address or secret). */
  host?: string;
  registry: Registry;
  /** host:port of the SDK core's exporter, or null when SDK metrics are off. */
  sdkMetricsAddress: string | null;
}

async function sdkMetrics(address: string | null): Promise<string> {
  if (!address) return '';
  try {
    const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return `# Temporal SDK metrics unavailable: HTTP ${response.status}\n`;
    return await response.text();
  } catch (error) {
    return `# Temporal SDK metrics unavailable: ${(error as Error).message}\n`;
  }
}

export async function startMetricsServer({ port, host = '0.0.0.0', registry, sdkMetricsAddress }: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the worker serves GET /metrics\n');
      return;
    }
    Promise.all([registry.metrics(), sdkMetrics(sdkMetricsAddress)]).then(
      ([ours, sdk]) => res.writeHead(200, { 'content-type': registry.contentType }).end(`${ours}\n${sdk}`),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
