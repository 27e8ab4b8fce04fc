import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { RelayConfig } from '../config/relay.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { RelayStatus } from '../protocol/dms.js';
import type { Db } from '../store/database.js';
import { SqliteMemberStore } from '../store/member-store.js';
import { DmsClient, DmsReplyError } from './dms-client.js';
import { ChangesPage, MAX_CHANGES_PAGE_BYTES, MemberChange } from './inbound-changes.js';
import { sleep } from './link.js';

type HttpConfig = NonNullable<RelayConfig['http']>;
const CURSOR_KEY = 'dms.sync.cursor';
const PAGE = 1000;

/**
 * Pulls the DMS's changes (members, vehicles, appointments) by cursor and applies them through
 * the member store's validated upsert. A page and its cursor are one transaction, so a crash
 * re-reads the page and applying it again changes nothing (idempotent). Conflict rule: the DMS
 * owns customer data; the store owns what happened here (check-in, cards it issued).
 */
export class DmsSync {
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly client: DmsClient;
  private readonly members: SqliteMemberStore;
  private readonly counters;
  private lastAt: string | null = null;
  private lastError: string | null = null;
  private applied = 0;
  private rejected = 0;

  constructor(private readonly deps: { db: Db; config: HttpConfig; now: () => Date; log: Logger; metrics: GatewayMetrics }) {
    this.client = new DmsClient(deps.config);
    this.members = new SqliteMemberStore(deps.db);
    const registers = [deps.metrics.registry];
    this.counters = {
      applied: new Counter({ name: 'forecourt_dms_sync_applied_total', help: 'DMS records applied to the local copy', registers }),
      rejected: new Counter({ name: 'forecourt_dms_sync_rejected_total', help: 'DMS records refused by the schema (the rest of their page applied)', registers }),
    };
  }

  start(): Promise<void> {
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
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

  /** Reads and applies one page; true when more wait. */
  async pullPage(signal?: AbortSignal): Promise<boolean> {
    const since = this.cursor();
    const body = await this.client.get('/changes', { ...(since ? { since } : {}), limit: String(PAGE) }, signal, MAX_CHANGES_PAGE_BYTES);
    const page = ChangesPage.safeParse(body);
    if (!page.success) throw new DmsReplyError(`the DMS changes page does not follow the contract: ${page.error.issues[0]?.message ?? ''}`, 'garbage');
    const good: MemberChange[] = [];
    page.data.changes.forEach((change, index) => {
      const parsed = MemberChange.safeParse(change);
      if (parsed.success) return good.push(parsed.data);
      this.rejected += 1;
      this.counters.rejected.inc();
      const issue = parsed.error.issues[0];
      this.deps.log.warn({ index, path: issue?.path.join('.'), reason: issue?.message }, 'DMS record rejected by the schema; the rest of the page applies');
    });
    this.deps.db.transaction(() => {
      this.members.upsertMembers(good.map((c) => c.member));
      this.deps.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(CURSOR_KEY, page.data.cursor);
    })();
    this.applied += good.length;
    this.counters.applied.inc(good.length);
    this.lastAt = this.deps.now().toISOString();
    return page.data.more;
  }
}
