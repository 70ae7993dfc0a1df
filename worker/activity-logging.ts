// One logger per activity call, bound to the execution SID (the workflow ID is the execution SID),
// so every line an activity produces can be found by the execution it served. Arguments and results
// are not logged: they hold contact addresses and message bodies.
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from '../common/logger';

export function activityLogging(log: Logger): ActivityInterceptorsFactory {
  return (context) => {
    const { info } = context;
    const callLog = log.child({
      executionSid: info.workflowExecution?.workflowId,
      activityType: info.activityType,
      activityId: info.activityId,
      attempt: info.attempt,
    });
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const startedAt = process.hrtime.bigint();
        const durationMs = () => Math.round(Number(process.hrtime.bigint() - startedAt) / 1e6);
        callLog.debug('activity started');
        try {
          const result = await next(input);
          callLog.info({ durationMs: durationMs() }, 'activity completed');
          return result;
        } catch (error) {
          const failure = error as { name?: string; message?: string; type?: string; nonRetryable?: boolean };
          callLog.warn(
            { durationMs: durationMs(), error: { name: failure.name, type: failure.type, message: failure.message, nonRetryable: failure.nonRetryable } },
            'activity failed',
          );
          throw error;
        }
      },
    };
    return { inbound };
  };
}
