// Webhooks leave after the request that caused them has been answered, but in order per key (one
// Conversation, one device): a reply's onMessageAdded never overtakes the one before it.
export class OrderedTaskQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  /** Bumped by clear(): tasks queued before it are skipped. */
  private generation = 0;
  private stopped = false;

  constructor(private readonly onError: (error: unknown) => void) {}

  enqueue(key: string, task: () => Promise<void>): void {
    if (this.stopped) return;
    const generation = this.generation;
    const previous = this.tails.get(key) ?? Promise.resolve();
    this.pending += 1;
    const next: Promise<void> = previous
      .then(async () => {
        if (generation === this.generation) await task();
      })
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.pending -= 1;
        if (this.tails.get(key) === next) this.tails.delete(key);
        if (this.pending === 0) this.releaseIdleWaiters();
      });
    this.tails.set(key, next);
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops everything still waiting (running tasks finish). */
  clear(): void {
    this.generation += 1;
  }

  /** Drops everything still waiting and refuses new tasks (the emulator is closing). */
  stop(): void {
    this.clear();
    this.stopped = true;
  }

  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
