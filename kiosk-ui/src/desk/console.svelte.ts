import {
  DeskList,
  QueueMode,
  QueueSnapshot,
  ServiceList,
  TOPIC_ROOT,
  type QueueCommand,
  type QueueModeName,
  type ServiceSummary,
} from '@forecourt/gateway/protocol';
import * as z from 'zod/mini';
import type { Bus } from '@forecourt/screen-lib/bus.svelte.js';
import { sendQueueCommand } from '@forecourt/screen-lib/api.js';
import type { StaffAccess } from '../lib/staff-access.svelte.js';
import { fetchDeskView, type DeskTicket, type DeskView } from './api.js';
import type { DeskError, DeskNotice } from './messages.js';

const DESK_KEY = 'forecourt.desk';
/** Last desk and service lists seen on the bus, so a reload while the bus is down still has names. */
const DESKS_CACHE = 'forecourt.desk.desks';
const SERVICES_CACHE = 'forecourt.desk.services';
/** Retained snapshots arrive in bursts (one per service after each change): one refetch per burst. */
const DEBOUNCE_MS = 100;
/** Waited minutes tick even when nothing happens. */
const POLL_MS = 30_000;
/** Without the bus nothing tells the desk about changes made elsewhere: ask more often. */
const POLL_OFFLINE_MS = 5_000;
const TICK_MS = 1_000;

export type DeskInfo = DeskList['desks'][number];

/**
 * The state of one desk console. State flows in over the bus (retained queue messages, which only
 * trigger a refetch) and HTTP (the desk's view with ticket ids); actions go out over HTTP, one at
 * a time, and each is followed by a refetch before the next one is allowed. The desk is the
 * signed-in session's too: the gateway refuses commands for any other desk.
 */
export class DeskConsole {
  /** The desk this console works for; undefined until someone picks one. */
  deskId = $state<string | undefined>(undefined);
  desks = $state<DeskInfo[] | undefined>(readCache(DESKS_CACHE, DeskList)?.desks);
  services = $state<ServiceSummary[]>(readCache(SERVICES_CACHE, ServiceList)?.services ?? []);
  busMode = $state<QueueMode | undefined>(undefined);
  view = $state<DeskView | undefined>(undefined);
  /** When the view was last fetched successfully. */
  refreshedAt = $state<Date | undefined>(undefined);
  /** Error code of the last failed refetch; cleared by the next success. */
  refreshError = $state<string | undefined>(undefined);
  /** The command in flight; every action button is disabled meanwhile. */
  pending = $state<QueueCommand['action'] | undefined>(undefined);
  error = $state<DeskError | undefined>(undefined);
  notice = $state<DeskNotice | undefined>(undefined);
  /** The current ticket the keyboard acts on when the desk holds more than one. */
  selectedId = $state<string | undefined>(undefined);

  /** Tickets at this desk, oldest call first. */
  readonly current = $derived<DeskTicket[]>(this.view?.current ?? []);
  /** The ticket R, S, F, X and T act on: the chosen one, else the latest called. */
  readonly selected = $derived<DeskTicket | undefined>(
    this.current.find((t) => t.id === this.selectedId) ??
      [...this.current].sort((a, b) => Date.parse(b.calledAt ?? '') - Date.parse(a.calledAt ?? ''))[0],
  );
  readonly desk = $derived<DeskInfo | undefined>(
    this.view?.desk ?? this.desks?.find((d) => d.id === this.deskId),
  );
  readonly waitingTotal = $derived(this.view?.queues.reduce((sum, q) => sum + q.waitingCount, 0) ?? 0);
  readonly mode = $derived<QueueModeName | undefined>(this.view?.mode ?? this.busMode?.mode);
  readonly peakSuggested = $derived(this.view?.peakSuggested ?? this.busMode?.suggested ?? false);
  /** Everyone waiting in the store, for the peak-mode suggestion. */
  readonly storeWaiting = $derived(this.services.reduce((sum, s) => sum + s.waitingCount, 0));

  private seq = 0;
  private errorSeq = 0;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private readonly ticker: ReturnType<typeof setInterval>;
  private lastAttempt = 0;
  /** While the session moves to another desk, a fetch would be refused as the wrong desk. */
  private moving = 0;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly bus: Bus,
    private readonly staff: StaffAccess,
  ) {
    // This computer's desk first; else the one the session was signed in at.
    const desk = readDesk() ?? staff.principal?.desk;
    this.unsubscribe = [bus.on(`${TOPIC_ROOT}/+/queue/desks`, DeskList, (_t, list) => {
      this.desks = list.desks;
      writeCache(DESKS_CACHE, list);
      // A desk removed from the store's configuration: pick again rather than fail every action.
      if (this.deskId && !list.desks.some((d) => d.id === this.deskId)) this.forgetDesk();
    }),
    bus.on(`${TOPIC_ROOT}/+/queue/services`, ServiceList, (_t, list) => {
      this.services = list.services;
      writeCache(SERVICES_CACHE, list);
      this.scheduleRefresh();
    }),
    bus.on(`${TOPIC_ROOT}/+/queue/service/+`, QueueSnapshot, (_t, snapshot) => {
      if (!this.view || this.view.desk.services.includes(snapshot.service)) this.scheduleRefresh();
    }),
    bus.on(`${TOPIC_ROOT}/+/queue/mode`, QueueMode, (_t, mode) => {
      this.busMode = mode;
      this.scheduleRefresh();
    })];
    this.ticker = setInterval(() => {
      const every = this.bus.link === 'connected' ? POLL_MS : POLL_OFFLINE_MS;
      if (this.deskId && !this.pending && Date.now() - this.lastAttempt >= every) void this.refresh();
    }, TICK_MS);
    if (desk) {
      // Shown at once; the first fetch waits until the session has been moved to it.
      this.deskId = desk;
      this.lastAttempt = Date.now();
      void this.chooseDesk(desk);
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    clearTimeout(this.debounce);
    for (const off of this.unsubscribe) off();
  }

  serviceName(code: string): ServiceSummary['name'] | undefined {
    return this.services.find((s) => s.code === code)?.name;
  }

  /** Works at this desk from now on: the session is moved there first (the gateway checks it). */
  async chooseDesk(id: string): Promise<boolean> {
    if (this.staff.principal?.desk !== id) {
      this.moving++;
      const refused = await this.staff.setDesk(id).finally(() => this.moving--);
      if (refused) {
        this.showError(refused);
        return false;
      }
    }
    if (id !== this.deskId) {
      this.view = undefined;
      this.refreshedAt = undefined;
      this.refreshError = undefined;
      this.selectedId = undefined;
      this.notice = undefined;
    }
    this.deskId = id;
    this.error = undefined;
    try {
      localStorage.setItem(DESK_KEY, id);
    } catch {
      // A locked-down profile: the choice lasts until reload.
    }
    void this.refresh();
    return true;
  }

  forgetDesk(): void {
    this.deskId = undefined;
    this.view = undefined;
    this.selectedId = undefined;
    try {
      localStorage.removeItem(DESK_KEY);
    } catch {
      // As above.
    }
  }

  select(ticketId: string): void {
    this.selectedId = ticketId;
  }

  dismissError(): void {
    this.error = undefined;
  }

  scheduleRefresh(): void {
    if (!this.deskId) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), DEBOUNCE_MS);
  }

  /** Fetches the desk's view; only the answer to the latest request is applied. */
  async refresh(): Promise<void> {
    const desk = this.deskId;
    if (!desk || this.moving > 0) return;
    clearTimeout(this.debounce);
    const mine = ++this.seq;
    this.lastAttempt = Date.now();
    const result = await fetchDeskView(desk);
    if (mine !== this.seq || desk !== this.deskId) return;
    if (result.ok) {
      this.view = result.body;
      // Replaced, never mutated: a plain Date is enough.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      this.refreshedAt = new Date();
      this.refreshError = undefined;
      if (this.selectedId && !result.body.current.some((t) => t.id === this.selectedId)) this.selectedId = undefined;
    } else if (result.code === 'unknown-desk') {
      this.forgetDesk();
      this.showError('unknown-desk');
    } else {
      this.refreshError = result.code;
    }
  }

  /** Runs one command; refused while another is in flight. Resolves true when it was done. */
  async run(command: QueueCommand): Promise<boolean> {
    if (this.pending) return false;
    this.pending = command.action;
    this.error = undefined;
    this.notice = undefined;
    try {
      const result = await sendQueueCommand(command);
      if (!result.ok) {
        this.showError(result.code, command.action);
        return false;
      }
      const ticket = result.body.ticket;
      if (ticket && (command.action === 'call-next' || command.action === 'call')) this.selectedId = ticket.id;
      this.notice = {
        action: command.action,
        number: ticket?.number,
        service: command.action === 'transfer' ? command.service : undefined,
        mode: command.action === 'set-mode' ? command.mode : undefined,
        seq: ++this.errorSeq,
      };
      return true;
    } finally {
      // The view after the command, before the next action: a second F must not finish a stale ticket.
      await this.refresh();
      this.pending = undefined;
    }
  }

  callNext(): Promise<boolean> {
    return this.deskId ? this.run({ action: 'call-next', desk: this.deskId }) : Promise.resolve(false);
  }

  call(ticketId: string): Promise<boolean> {
    return this.deskId ? this.run({ action: 'call', desk: this.deskId, ticketId }) : Promise.resolve(false);
  }

  act(action: 'recall' | 'start' | 'finish' | 'no-show', ticketId: string): Promise<boolean> {
    return this.deskId ? this.run({ action, desk: this.deskId, ticketId }) : Promise.resolve(false);
  }

  putBack(ticketId: string): Promise<boolean> {
    return this.run({ action: 'put-back', ticketId });
  }

  transfer(ticketId: string, service: string): Promise<boolean> {
    return this.run({ action: 'transfer', ticketId, service });
  }

  setMode(mode: QueueModeName): Promise<boolean> {
    // Who switched comes from the session, never from the command.
    return this.run({ action: 'set-mode', mode });
  }

  private showError(code: string, action?: QueueCommand['action']): void {
    this.error = { code, action, seq: ++this.errorSeq };
  }
}

function readDesk(): string | undefined {
  try {
    return localStorage.getItem(DESK_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function readCache<S extends z.core.$ZodType>(key: string, schema: S): z.infer<S> | undefined {
  try {
    const parsed = z.safeParse(schema, JSON.parse(localStorage.getItem(key) ?? 'null'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or locked-down storage: the names come back with the bus.
  }
}
