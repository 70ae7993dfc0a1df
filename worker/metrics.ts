// The worker's own Prometheus counters, moved by the workflow's sinks (workflows/sinks.ts): the
// worker sees every execution end whoever ended it (the flow, a limit, the API), once each, because
// sink calls are not repeated on replay.
import type { InjectedSinks } from '@temporalio/worker';
import { Counter, Registry } from 'prom-client';
import type { Logger } from '../common/logger';
import type { StudioSinks } from '../workflows/sinks';

export interface WorkerMetrics {
  registry: Registry;
  executionsEnded: Counter<'reason'>;
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  return {
    registry,
    executionsEnded: new Counter({
      name: 'studio_executions_ended_total',
      help: 'Studio executions ended, by ended reason (FLOW_END, ENDED_BY_API, ERROR, MAX_STEPS, WIDGET_LOOP, LIFETIME, ...)',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

/** The worker end of the workflow's sinks: count, and log the end with the execution SID (= workflow ID). */
export function studioSinks(metrics: WorkerMetrics, log: Logger): InjectedSinks<StudioSinks> {
  return {
    metrics: {
      executionEnded: {
        fn: (info, { reason }) => {
          metrics.executionsEnded.inc({ reason });
          log.info({ executionSid: info.workflowId, runId: info.runId, reason }, 'execution ended');
        },
        callDuringReplay: false,
      },
    },
  };
}
