/**
 * What the Alipay, WeChat Pay and Ping++ emulators share: the queue of injected faults (fail, refuse, delay, drop
 * after acting, …: each emulator defines its own kinds), the timers a delayed answer waits on (cancelled when the
 * emulator closes), and posting a notification to an endpoint the way the providers' senders do. Node-only.
 * @module
 */

/** A queue of injected faults of kind `I`, optionally scoped (Alipay scopes them to one OpenAPI `method`). */
export interface EmulatorFaults<I> {
  /** Queues `injection` for the next `count` requests (only those of `scope`, when given). */
  inject(injection: I, count: number, scope?: string): void;
  /**
   * The first queued injection that applies to a request of `scope` (an unscoped one applies to every request),
   * counted down and dropped once used up; `undefined` when none applies.
   */
  take(scope?: string | null): I | undefined;
  /** Forgets every queued injection. */
  clear(): void;
  /** Resolves after `ms` on a timer that {@link cancelTimers} clears (a delayed answer). */
  sleep(ms: number): Promise<void>;
  /** Clears every pending {@link sleep} timer (the emulator is closing). */
  cancelTimers(): void;
}

/** Creates an empty fault queue. */
export function createEmulatorFaults<I>(): EmulatorFaults<I> {
  const queue: Array<{ injection: I; remaining: number; scope: string | undefined }> = [];
  const timers = new Set<NodeJS.Timeout>();
  return {
    inject(injection, count, scope) {
      queue.push({ injection, remaining: count, scope });
    },
    take(scope) {
      const index = queue.findIndex((q) => q.scope === undefined || q.scope === scope);
      const found = queue[index];
      if (!found) return undefined;
      found.remaining -= 1;
      if (found.remaining === 0) queue.splice(index, 1);
      return found.injection;
    },
    clear() {
      queue.length = 0;
    },
    sleep(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      });
    },
    cancelTimers() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** Posts a notification body with its headers, as a provider's sender does; returns the endpoint's answer. */
export async function postNotification(
  url: string,
  headers: Readonly<Record<string, string>>,
  rawBody: string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: { ...headers }, body: rawBody });
  return { status: response.status, body: await response.text() };
}
