// Studio keeps an execution's data for 30 days after it starts (docs/studio-reference.md, limits). The
// execution index and the table of delivered messages would otherwise grow for ever: each API instance
// prunes them at start and then hourly (several instances pruning at once only delete the same rows).
// The steps and context live in the closed workflow, which Temporal's namespace retention removes
// (scripts/dev-server.ts sets it to 30 days for the embedded dev server).
import type { Logger } from '../common/logger';
import type { ExecutionStore } from './store/execution-store';

export const RETENTION_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;
const SWEEP_INTERVAL_MS = 3600 * 1000;

export interface RetentionSweeper {
  /** Prunes now; resolves with what was removed. */
  sweep(): Promise<{ executions: number; deliveries: number }>;
  stop(): void;
}

export function startRetentionSweeper(
  executions: Pick<ExecutionStore, 'prune'>,
  log: Logger,
  options: { intervalMs?: number; now?: () => Date } = {},
): RetentionSweeper {
  const now = options.now ?? (() => new Date());
  const sweep = async () => {
    const removed = await executions.prune(new Date(now().getTime() - RETENTION_DAYS * DAY_MS));
    if (removed.executions > 0 || removed.deliveries > 0) log.info(removed, 'pruned executions and deliveries older than 30 days');
    return removed;
  };
  const sweepLogged = () => {
    sweep().catch((error: unknown) => log.warn({ err: error }, 'pruning old executions failed; next attempt in an hour'));
  };
  sweepLogged();
  const timer = setInterval(sweepLogged, options.intervalMs ?? SWEEP_INTERVAL_MS);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
