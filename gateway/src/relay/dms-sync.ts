import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { RelayConfig } from '../config/relay.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { RelayStatus } from '../protocol/dms.js';
import type { Db } from '../store/database.js';
import { SqliteMemberStore } from '../store/member-store.js';
import { DmsClient, DmsReplyError } from './dms-client.js';
import { ChangesPage, DmsChange, MAX_CHANGES_PAGE_BYTES, type RepairOrderChange } from './inbound-changes.js';
import { WorkshopCommand } from '../protocol/workshop.js';
import { BackgroundLoop, sleep } from './link.js';

type HttpConfig = NonNullable<RelayConfig['http']>;

/** What the sync needs of the workshop: a DMS booking applied once (WorkshopService.bookFromDms). */
export interface InboundWorkshop {
  bookFromDms(dmsId: string, command: Extract<WorkshopCommand, { action: 'book' }>): Promise<'booked' | 'known'>;
}
const CURSOR_KEY = 'dms.sync.cursor';
const PAGE = 1000;

/**
 * Pulls the DMS's changes (members, vehicles, appointments) by cursor and applies them through
 * the member store's validated upsert. A page and its cursor are one transaction, so a crash
 * re-reads the page and applying it again changes nothing (idempotent). Conflict rule: the DMS
 * owns customer data; the store owns what happened here (check-in, cards it issued).
 */
export class DmsSync {
  private readonly loop = new BackgroundLoop((signal) => this.run(signal));
  private readonly client: DmsClient;
  private readonly members: SqliteMemberStore;
  private readonly counters;
  private lastAt: string | null = null;
  private lastError: string | null = null;
  private applied = 0;
  private rejected = 0;

  constructor(private readonly deps: { db: Db; config: HttpConfig; now: () => Date; log: Logger; metrics: GatewayMetrics; workshop?: InboundWorkshop }) {
    this.client = new DmsClient(deps.config);
    this.members = new SqliteMemberStore(deps.db);
    const registers = [deps.metrics.registry];
    this.counters = {
      applied: new Counter({ name: 'forecourt_dms_sync_applied_total', help: 'DMS records applied to the local copy', registers }),
      rejected: new Counter({ name: 'forecourt_dms_sync_rejected_total', help: 'DMS records refused by the schema (the rest of their page applied)', registers }),
    };
  }

  start(): Promise<void> {
    this.loop.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.client.close();
  }

  status(): NonNullable<RelayStatus['sync']> {
    return { cursor: this.cursor(), lastAt: this.lastAt, applied: this.applied, rejected: this.rejected, lastError: this.lastError };
  }

  private cursor(): string | null {
    return (this.deps.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(CURSOR_KEY) as string | undefined) ?? null;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        while (!signal.aborted && (await this.pullPage(signal))) {
          // More pages wait: read them straight away.
        }
        this.lastError = null;
      } catch (err) {
        if (signal.aborted) return;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.deps.log.warn({ err: this.lastError }, 'DMS sync failed; the store works on from its local copy');
      }
      await sleep(this.deps.config.syncEverySeconds * 1000, signal);
    }
  }

  private reject(context: Record<string, unknown>, message: string): void {
    this.rejected += 1;
    this.counters.rejected.inc();
    this.deps.log.warn(context, message);
  }

  /** Books a DMS order once; a booking the workshop refuses (e.g. the car has an open order) is rejected alone. */
  private async book({ order }: RepairOrderChange): Promise<boolean> {
    if (!this.deps.workshop) return false;
    const { dmsId, customerId, vehicleId, ...fields } = order;
    const customerRef = customerId ? `member:${customerId}${vehicleId ? `/vehicle:${vehicleId}` : ''}` : undefined;
    try {
      // The desk's own command schema: what the DMS books is checked like what staff type.
      const command = WorkshopCommand.parse({ action: 'book', ...fields, ...(customerRef ? { customerRef } : {}) });
      if (command.action !== 'book') throw new Error('not a booking');
      await this.deps.workshop.bookFromDms(dmsId, command);
      return true;
    } catch (err) {
      this.reject({ dmsId, reason: err instanceof Error ? err.message : String(err) }, 'DMS booking refused by the workshop; the rest of the page applies');
      return false;
    }
  }

  /** Reads and applies one page; true when more wait. */
  async pullPage(signal?: AbortSignal): Promise<boolean> {
    const since = this.cursor();
    const body = await this.client.get('/changes', { ...(since ? { since } : {}), limit: String(PAGE) }, signal, MAX_CHANGES_PAGE_BYTES);
    const page = ChangesPage.safeParse(body);
    if (!page.success) throw new DmsReplyError(`the DMS changes page does not follow the contract: ${page.error.issues[0]?.message ?? ''}`, 'garbage');
    const good: DmsChange[] = [];
    page.data.changes.forEach((change, index) => {
      const parsed = DmsChange.safeParse(change);
      if (parsed.success) return good.push(parsed.data);
      const issue = parsed.error.issues[0];
      this.reject({ index, path: issue?.path.join('.'), reason: issue?.message }, 'DMS record rejected by the schema; the rest of the page applies');
    });
    // Members first (an order may be for a new customer), then bookings, then the cursor: a crash
    // in between re-reads the page, and applying it again changes nothing.
    this.members.upsertMembers(good.flatMap((c) => (c.kind === 'member' ? [c.member] : [])));
    let applied = good.filter((c) => c.kind === 'member').length;
    for (const change of good) if (change.kind === 'repair-order' && (await this.book(change))) applied += 1;
    this.deps.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(CURSOR_KEY, page.data.cursor);
    this.applied += applied;
    this.counters.applied.inc(applied);
    this.lastAt = this.deps.now().toISOString();
    return page.data.more;
  }
}
