import { randomUUID } from 'node:crypto';
import type { AedesPublishPacket } from 'aedes';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { publishJson } from '../broker/publish.js';
import type { ReaderConfig } from '../config/readers.js';
import { encodeStaffCard, recogniseStaffTap, staffCardKey, verifyStaffCard, type StaffTapOutcome } from '../domain/identity/index.js';
import { verifyCard, type CardKey } from '../domain/members/index.js';
import { registerStaffCardRoutes, type StaffCardApi, type StaffTap } from '../http/staff-card-routes.js';
import { topics, type CardTap, type CardWriteResult, type CardWrite, type DeskSession, type DevicePrincipal, type StaffListAnswer } from '../protocol/index.js';
import type { Actor } from '../store/audit-log.js';
import type { StaffRow } from '../store/identity-store.js';
import { StaffCardStore } from '../store/staff-card-store.js';
import { CardSignInWaits } from './card-sign-in-waits.js';
import type { Extension, ExtensionContext } from './extension.js';
import { memberCardKeys } from './member-card-keys.js';
import { NotReady } from '../domain/not-ready.js';
import { StaffCardError } from '../domain/identity/staff-card-error.js';
import { DeskCardIssues, WRITE_ANSWER_MS } from './desk-card-issues.js';


interface PendingIssue {
  desk: string;
  staffId: string;
  staffNo: string;
  by: Actor;
  until: number;
  write?: { requestId: string; serial: number; version: number; uid: string; tapAt: string; timer: NodeJS.Timeout };
}

/**
 * Staff cards (README "Staff cards"): a manager issues one at the desk reader like a member card,
 * and revokes a lost one; an enrolled desk PC or bay terminal waits for a staff card on its own
 * reader to sign its person in. Member cards are never taken for staff cards nor the reverse (own
 * record type, own key). The member service hands over the taps this service claims.
 */
export class StaffCardService implements Extension, StaffCardApi {
  readonly name = 'staff-cards';
  private cardStore: StaffCardStore | undefined;
  private readonly staffKeys = new Map<number, CardKey>();
  private readonly memberKeys = new Map<number, CardKey>();
  private currentKey: CardKey | undefined;
  private readonly pending = new DeskCardIssues<PendingIssue>(() => this.ctx.now());
  private readonly waits: CardSignInWaits<StaffTap>;
  private readonly readers: ReaderConfig[];
  private readonly taps: Counter<'result'>;
  private readonly writeResultTopic: string;

  constructor(private readonly ctx: ExtensionContext) {
    this.waits = new CardSignInWaits(() => ctx.now().getTime());
    this.readers = ctx.config.devices.readers;
    this.writeResultTopic = topics.deviceWriteResultAll(ctx.config.store.id);
    this.taps = new Counter({
      name: 'forecourt_staff_card_taps_total',
      help: 'Staff-card taps at sign-in and issue by outcome (not-genuine counts forgeries and possible clones)',
      labelNames: ['result'] as const,
      registers: [ctx.metrics.registry],
    });
  }

  private get store(): StaffCardStore {
    if (!this.cardStore) throw new NotReady('staff cards are');
    return this.cardStore;
  }

  async start(): Promise<void> {
    const { config } = this.ctx;
    // No key configured: the demo's public key (the member taps warn about it at start-up).
    for (const key of memberCardKeys(config.members).all) {
      this.memberKeys.set(key.id, key);
      this.staffKeys.set(key.id, staffCardKey(key, config.store.id));
    }
    this.currentKey = this.staffKeys.get(config.members.currentKeyId ?? Math.max(...this.staffKeys.keys()));
    this.cardStore = new StaffCardStore(this.ctx.db);
    await new Promise<void>((resolve) => this.ctx.broker.subscribe(this.writeResultTopic, this.onWriteResult, resolve));
  }

  async stop(): Promise<void> {
    this.pending.clear();
    this.waits.clear();
    await new Promise<void>((resolve) => this.ctx.broker.unsubscribe(this.writeResultTopic, this.onWriteResult, resolve));
    this.cardStore = undefined;
  }

  registerRoutes(app: FastifyInstance): void {
    registerStaffCardRoutes(app, this, this.ctx.identity);
  }

  /**
   * Whether a tap is this service's: every tap on a bay reader, and on a desk reader while a staff
   * card is being issued there or a signed-out screen of that desk waits for a staff card.
   */
  claims(reader: ReaderConfig): boolean {
    if (reader.role === 'bay') return true;
    return reader.role === 'desk' && (this.pending.pending(reader.station) !== undefined || this.waits.waiting(waitKey('desk', reader.station)));
  }

  async handleTap(reader: ReaderConfig, tap: CardTap): Promise<void> {
    const pending = reader.role === 'desk' ? this.pending.pending(reader.station) : undefined;
    if (pending) return this.issueOnTap(pending, reader, tap);
    const outcome = recogniseStaffTap(tap, (id) => this.staffKeys.get(id), (serial) => this.store.card(serial));
    this.taps.inc({ result: outcome.kind === 'staff' ? 'signed-in' : outcome.refusal });
    if (outcome.kind === 'refused') this.refused(reader, outcome);
    const screen = reader.role === 'bay' ? 'bay' : 'desk';
    if (!this.waits.deliver(waitKey(screen, reader.station), { outcome, tapAt: tap.at }, outcome.kind === 'staff')) {
      this.ctx.log.info({ reader: reader.id, station: reader.station }, 'staff card tapped, but no screen of this station waits for one');
    }
  }

  /**
   * Waits a few seconds for a staff card on the reader of the enrolled screen that asks: a desk
   * PC's desk reader, a bay terminal's bay reader. Never another station's: the station is the
   * screen's own, from its device token.
   */
  waitForTap(screen: DevicePrincipal, ms: number, cancelled: (stop: () => void) => void): Promise<StaffTap | undefined> {
    const kind = screen.deviceKind === 'bay' ? 'bay' : 'desk';
    if (!screen.station || !this.readers.some((r) => r.role === kind && r.station === screen.station)) {
      throw new StaffCardError('no-reader', `no ${kind} card reader is declared for station ${screen.station ?? '(none)'} in devices.readers`);
    }
    return this.waits.wait(waitKey(kind, screen.station), ms, cancelled);
  }

  /** `issue`: the next card tapped on the desk's reader becomes the staff member's card. */
  requestIssue(staffNo: string, desk: string, by: Actor): { reader: string; until: string } {
    const reader = this.readers.find((r) => r.role === 'desk' && r.station === desk);
    if (!reader) throw new StaffCardError('no-desk-reader', `desk ${desk} has no card reader in devices.readers`);
    const staff = this.ctx.identity.store.staffByNo(staffNo);
    if (!staff) throw new StaffCardError('staff-not-found', `no staff member ${staffNo}`);
    if (staff.disabledAt) throw new StaffCardError('staff-disabled', `staff member ${staffNo} is disabled`);
    this.cancelIssue(desk);
    const { until } = this.pending.open((until) => ({ desk, staffId: staff.id, staffNo, by, until }));
    this.ctx.log.info({ desk, staffNo, by: by.actor }, 'staff card issue: waiting for a card on the desk reader');
    return { reader: reader.id, until: new Date(until).toISOString() };
  }

  cancelIssue(desk: string): void {
    const pending = this.pending.remove(desk);
    if (pending?.write) this.store.drop(pending.write.serial);
  }

  /** The staff member's card stops working at once; audited. How many cards that was (0 or 1). */
  revoke(staffNo: string, by: Actor): number {
    const staff = this.ctx.identity.store.staffByNo(staffNo);
    if (!staff) throw new StaffCardError('staff-not-found', `no staff member ${staffNo}`);
    const at = this.ctx.now().toISOString();
    return this.ctx.identity.audit.record(by, () => this.store.revokeAll(staff.id, at, by.actor), (revoked) => ({
      action: 'staff.card-revoke',
      target: `staff:${staffNo}`,
      detail: { revoked },
    }));
  }

  list(): StaffListAnswer['staff'] {
    const cards = this.store.activeCards();
    return this.ctx.identity.store.listStaff().map((s) => ({ staffNo: s.staffNo, name: s.name, role: s.role, disabled: s.disabledAt !== null, card: cards.get(s.id) ?? null }));
  }

  /** The staff row behind a card that passed at a tap (checked again when the session opens). */
  staffOf(staffId: string): StaffRow | undefined {
    return this.ctx.identity.store.staffById(staffId);
  }

  private async issueOnTap(pending: PendingIssue, reader: ReaderConfig, tap: CardTap): Promise<void> {
    if (pending.write) return; // one write at a time; its answer decides
    if (tap.kind !== 'ntag' || !tap.uid || !tap.data) return this.issueFailed(pending, tap.kind === 'iso14443-4' ? 'not-ntag' : 'unreadable', tap.at);
    const uid = Buffer.from(tap.uid, 'hex');
    const data = Buffer.from(tap.data, 'hex');
    // A genuine member card, or another person's staff card still in use, is never overwritten by accident.
    if (verifyCard(uid, data, (id) => this.memberKeys.get(id)).ok) return this.issueFailed(pending, 'member-card', tap.at);
    const existing = verifyStaffCard(uid, data, (id) => this.staffKeys.get(id));
    const row = existing.ok ? this.store.card(existing.serial) : undefined;
    if (row && row.uid === tap.uid && !row.revokedAt && row.staffId !== pending.staffId) return this.issueFailed(pending, 'card-in-use', tap.at);
    const key = this.currentKey;
    if (!key) throw new NotReady('staff cards are');
    const at = this.ctx.now().toISOString();
    const { serial, version } = this.store.reserve({ uid: tap.uid, staffId: pending.staffId, keyId: key.id, at, by: pending.by.actor });
    const requestId = randomUUID();
    const timer = setTimeout(() => void this.writeFailed(pending, 'no-answer'), WRITE_ANSWER_MS);
    pending.write = { requestId, serial, version, uid: tap.uid, tapAt: tap.at, timer };
    const write: CardWrite = { requestId, uid: tap.uid, page: 4, data: encodeStaffCard(uid, { serial, version }, key).toString('hex'), at };
    await publishJson(this.ctx.broker, topics.deviceWrite(this.ctx.config.store.id, reader.id), write, false);
  }

  private async writeDone(pending: PendingIssue, result: CardWriteResult): Promise<void> {
    const settled = this.pending.settle(pending, result);
    if (!settled) return;
    if ('failed' in settled) return this.writeFailed(pending, settled.failed);
    const write = settled.written;
    const at = this.ctx.now().toISOString();
    this.ctx.identity.audit.record(pending.by, () => this.store.confirm(write.serial, at), () => ({
      action: 'staff.card-issue',
      target: `staff:${pending.staffNo}`,
      detail: { serial: write.serial, version: write.version, uid: write.uid, keyId: this.currentKey?.id, desk: pending.desk },
    }));
    this.pending.remove(pending.desk);
    this.taps.inc({ result: 'card-issued' });
    this.ctx.log.info({ desk: pending.desk, staffNo: pending.staffNo, serial: write.serial, version: write.version, uid: write.uid }, 'staff card issued');
    await this.publishDesk(pending.desk, { result: 'staff-card-issued', tapAt: write.tapAt });
  }

  private async writeFailed(pending: PendingIssue, reason: string): Promise<void> {
    const write = pending.write;
    clearTimeout(write?.timer);
    delete pending.write;
    if (write) this.store.drop(write.serial);
    this.ctx.log.warn({ desk: pending.desk, reason }, 'staff card could not be written; tap it again');
    await this.issueFailed(pending, reason, write?.tapAt ?? this.ctx.now().toISOString());
  }

  private issueFailed(pending: PendingIssue, reason: string, tapAt: string): Promise<void> {
    return this.publishDesk(pending.desk, { result: 'staff-card-issue-failed', reason, tapAt });
  }

  private publishDesk(desk: string, fields: Omit<DeskSession, 'at'>): Promise<void> {
    const payload: DeskSession = { ...fields, at: this.ctx.now().toISOString() };
    return publishJson(this.ctx.broker, topics.deskSession(this.ctx.config.store.id, desk), payload, false);
  }

  /** Logged; a forged, copied, revoked or superseded card is also audited, like a wrong PIN. */
  private refused(reader: ReaderConfig, outcome: Extract<StaffTapOutcome, { kind: 'refused' }>): void {
    const fields = { reader: reader.id, station: reader.station, uid: outcome.uid, serial: outcome.serial, refusal: outcome.refusal };
    if (outcome.possibleClone) this.ctx.log.warn(fields, 'possible cloned staff card: the MAC does not match the card UID; refused');
    else if (outcome.refusal === 'not-genuine' || outcome.refusal === 'revoked' || outcome.refusal === 'superseded') this.ctx.log.warn(fields, 'staff card refused');
    else return void this.ctx.log.info(fields, 'card at staff sign-in not accepted');
    const target = outcome.serial === undefined ? null : `staff-card:${outcome.serial}`;
    this.ctx.identity.audit.write({ actor: 'public', role: null, via: reader.id }, { action: 'auth.card-refused', target, detail: { refusal: outcome.refusal, uid: outcome.uid ?? null } });
  }

  private readonly onWriteResult = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const answered = this.pending.answered(packet.payload);
    if (answered) this.writeDone(answered.issue, answered.result).catch((err: unknown) => this.ctx.log.error({ err }, 'staff card issue failed'));
  };
}

function waitKey(screen: 'desk' | 'bay', station: string): string {
  return `${screen}:${station}`;
}
