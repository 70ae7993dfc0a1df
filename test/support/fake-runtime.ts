// A plain fake of the interpreter's runtime port for unit tests: a settable clock (optionally moving
// on at each reading, so step dates show the order steps began in), counting SIDs, no continue-as-new.
import type { RuntimePort } from '../../workflows/engine/interpreter';

export function fakeRuntime(options: { tickMs?: number } = {}, overrides: Partial<RuntimePort> = {}): RuntimePort & { now: number } {
  let counter = 0;
  const port: RuntimePort & { now: number } = {
    now: Date.UTC(2026, 0, 1),
    nowMs: (): number => (options.tickMs ? (port.now += options.tickMs) : port.now),
    randomHex: () => (++counter).toString(16).padStart(32, '0'),
    enterWidget: () => undefined,
    leaveWidget: () => undefined,
    shouldContinueAsNew: () => false,
    continueAsNew: async () => {
      throw new Error('unexpected continue-as-new');
    },
    ...overrides,
  };
  return port;
}
