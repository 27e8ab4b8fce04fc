import type { MemberRecord } from '../../domain/members/index.js';
import type { ChangesPage } from '../../relay/inbound-changes.js';

/** Largest page the contract allows (ChangesPage). */
export const MAX_CHANGES_PAGE = 5000;

/**
 * What the simulated DMS has for the store to pull (`GET /changes`): a log of changes, read by an
 * offset cursor. Re-sending a member appends it again, as a DMS does when the record changes.
 * Changes are kept as given, so a test can slip in a record the store must refuse.
 */
export class ChangeFeed {
  private readonly changes: unknown[] = [];

  get size(): number {
    return this.changes.length;
  }

  add(changes: readonly unknown[]): void {
    for (const change of changes) this.changes.push(change);
  }

  addMembers(members: readonly MemberRecord[]): void {
    this.add(members.map((member) => ({ kind: 'member', member })));
  }

  /**
   * The changes after `since` (undefined: from the start); throws on a cursor it cannot have given.
   * A cursor past the end (a store that synced with an earlier, longer feed) has nothing new.
   */
  page(since: string | undefined, limit: number): ChangesPage {
    if (since !== undefined && !/^\d{1,15}$/.test(since)) throw new RangeError(`unknown cursor ${JSON.stringify(since)}`);
    const from = Math.min(Number(since ?? 0), this.changes.length);
    const to = Math.min(this.changes.length, from + Math.min(limit, MAX_CHANGES_PAGE));
    return { cursor: String(to), more: to < this.changes.length, changes: this.changes.slice(from, to) };
  }
}
