import { vi } from 'vitest';
import { SqliteQueueStore } from '../../gateway/src/store/queue-store.js';

/**
 * Counts the reads of the day's tickets (`SqliteQueueStore.ticketsOfDay`) a running gateway makes,
 * each still done for real. The queue service's 30 s refresh (`publishAll`) may run meanwhile: it
 * is no part of the change being counted. `restore()` when done.
 */
export function countTicketReads(): { readonly reads: number; reset(): void; restore(): void } {
  const original = SqliteQueueStore.prototype.ticketsOfDay;
  let reads = 0;
  const spy = vi.spyOn(SqliteQueueStore.prototype, 'ticketsOfDay').mockImplementation(function (this: SqliteQueueStore, ...args) {
    if (!new Error().stack?.includes('publishAll')) reads += 1;
    return original.apply(this, args);
  });
  return {
    get reads() {
      return reads;
    },
    reset: () => (reads = 0),
    restore: () => spy.mockRestore(),
  };
}
