// The worker process's Temporal runtime: the SDK's own log lines go through our pino logger (JSON,
// with the execution SID when the SDK names a workflow), and the SDK core exports its Prometheus
// metrics on a loopback port that the worker's /metrics re-serves (worker/metrics-server.ts).
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's Logger interface on top of pino. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly target: Logger) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    // The task token is an opaque handle that can complete the activity: noise at best, so it stays out.
    const { taskToken: _taskToken, ...fields } = meta;
    const { workflowId } = fields;
    this.target[PINO_LEVEL[level]](typeof workflowId === 'string' ? { ...fields, executionSid: workflowId } : fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** Where the SDK core serves its metrics, or null when WORKER_SDK_METRICS_PORT is 0. */
export function sdkMetricsAddress(config: Pick<Config, 'workerSdkMetricsPort'>): string | null {
  return config.workerSdkMetricsPort === 0 ? null : `127.0.0.1:${config.workerSdkMetricsPort}`;
}

/**
 * Must run before the first NativeConnection: the runtime is created once per process. Returns where
 * the SDK's metrics are served, or null. A taken port costs the SDK metrics, never the worker.
 */
export function installWorkerRuntime(config: Config, log: Logger): string | null {
  const logger = new PinoTemporalLogger(log.child({ sdk: 'temporal' }));
  const metricsAddress = sdkMetricsAddress(config);
  if (metricsAddress) {
    try {
      Runtime.install({ logger, telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } });
      return metricsAddress;
    } catch (error) {
      log.error({ err: error, sdkMetricsAddress: metricsAddress }, 'Temporal SDK metrics not exported (set WORKER_SDK_METRICS_PORT to a free port)');
    }
  }
  Runtime.install({ logger });
  return null;
}
