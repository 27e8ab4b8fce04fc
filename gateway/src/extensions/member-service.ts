import { randomBytes, randomUUID } from 'node:crypto';
import type { AedesPublishPacket } from 'aedes';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { publishJson } from '../broker/publish.js';
import type { ReaderConfig } from '../config/readers.js';
import { DEMO_MEMBERS, demoMembers, demoVehicleId } from '../demo/demo-members.js';
import {
  MemberError,
  encodeCard,
  isBirthday,
  kioskGreeting,
  localDate,
  recogniseTap,
  remindersFor,
  todaysAppointment,
  verifyCard,
  walkInPriority,
  type CardKey,
  type MemberRecord,
  type MemberStore,
  type TapOutcome,
} from '../domain/members/index.js';
import { QueueError } from '../domain/queue/index.js';
import { registerMemberRoutes, type Caller } from '../http/member-routes.js';
import {
  CardTap,
  CardWriteResult,
  parseTopic,
  topics,
  type CardWrite,
  type DeskSession,
  type KioskSession,
  type MemberFile,
  type MemberSearchAnswer,
} from '../protocol/index.js';
import { SqliteMemberStore } from '../store/member-store.js';
import { OpaqueIds, maskPhone } from '../store/opaque-ids.js';
import type { Actor } from '../store/audit-log.js';
import type { Extension, ExtensionContext } from './extension.js';
import { MemberSessions, type MemberSession } from '../domain/members/sessions.js';
import type { QueueService } from './queue-service.js';
import type { CommandResult } from '../domain/queue/index.js';
import { NotReady } from '../domain/not-ready.js';
import { ticketKey } from '../relay/outbound-events.js';
import { DeskCardIssues, WRITE_ANSWER_MS } from './desk-card-issues.js';

/** The public demo key: anyone can read it here, so cards made with it prove nothing. */
export const DEMO_CARD_KEY: CardKey = { id: 0, secret: Buffer.from('forecourt demo card key - public, demos and tests only') };
const VISITS_SHOWN = 20;

/** A service that takes some taps before they are taken for member cards. */
export interface TapClaimant {
  claims(reader: ReaderConfig): boolean;
  handleTap(reader: ReaderConfig, tap: CardTap): Promise<void>;
}

interface PendingIssue {
  desk: string;
  memberId: number;
  vehicleId: number;
  by: Actor;
  until: number;
  write?: { requestId: string; uid: string; reader: ReaderConfig; tapAt: string; timer: NodeJS.Timeout };
}

/**
 * Member cards end to end: taps from the readers (device/+/tap) are checked and answered with a
 * masked greeting on the kiosk's topic or a session for the desk; desks issue cards; kiosks take
 * tickets and check in appointments for the greeted member.
 */
export class MemberService implements Extension {
  readonly name = 'members';
  private memberStore: MemberStore | undefined;
  private opaqueIds: OpaqueIds | undefined;
  private readonly keys = new Map<number, CardKey>();
  private currentKey: CardKey = DEMO_CARD_KEY;
  private readonly sessions: MemberSessions;
  private readonly pending = new DeskCardIssues<PendingIssue>(() => this.ctx.now());
  private readonly readers: Map<string, ReaderConfig>;
  private readonly taps: Counter<'result'>;
  private readonly tapTopic: string;
  private readonly writeResultTopic: string;
  private claimant: TapClaimant | undefined;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly queue: QueueService,
    private readonly demo: boolean,
  ) {
    this.sessions = new MemberSessions(() => ctx.now().getTime());
    this.readers = new Map(ctx.config.devices.readers.map((r) => [r.id, r]));
    this.tapTopic = topics.deviceTapAll(ctx.config.store.id);
    this.writeResultTopic = topics.deviceWriteResultAll(ctx.config.store.id);
    this.taps = new Counter({
      name: 'forecourt_card_taps_total',
      help: 'Member-card taps by outcome (not-genuine counts possible clones)',
      labelNames: ['result'] as const,
      registers: [ctx.metrics.registry],
    });
  }

  private opaque(): OpaqueIds {
    if (!this.opaqueIds) throw new NotReady('members are');
    return this.opaqueIds;
  }

  get store(): MemberStore {
    if (!this.memberStore) throw new NotReady('members are');
    return this.memberStore;
  }

  async start(): Promise<void> {
    const { config, log } = this.ctx;
    const store = new SqliteMemberStore(this.ctx.db);
    for (const k of config.members.cardKeys) this.keys.set(k.id, { id: k.id, secret: Buffer.from(k.secret, 'hex') });
    if (this.keys.size === 0) {
      this.keys.set(DEMO_CARD_KEY.id, DEMO_CARD_KEY);
      log.warn('members.cardKeys is empty: member cards use the public demo key, so anyone could make one. Set a dealer-group key before real cards are issued.');
    }
    const currentId = config.members.currentKeyId ?? Math.max(...this.keys.keys());
    this.currentKey = this.keys.get(currentId) ?? DEMO_CARD_KEY;
    const queueDesks = new Set(config.queue.desks.map((d) => d.id));
    for (const r of this.readers.values()) {
      if (r.role === 'desk' && !queueDesks.has(r.station)) log.error({ reader: r.id }, `reader ${r.id} is for desk ${r.station}, which queue.desks does not have`);
    }
    if (this.demo && store.count() === 0) {
      store.upsertMembers(demoMembers(1, DEMO_MEMBERS, this.ctx.now(), config.store.timeZone));
      log.info({ members: DEMO_MEMBERS }, 'demo members loaded');
    }
    this.memberStore = store;
    this.opaqueIds = OpaqueIds.forDatabase(this.ctx.db);
    await this.subscribe(this.tapTopic, this.onTap);
    await this.subscribe(this.writeResultTopic, this.onWriteResult);
  }

  async stop(): Promise<void> {
    this.pending.clear();
    await this.unsubscribe(this.tapTopic, this.onTap);
    await this.unsubscribe(this.writeResultTopic, this.onWriteResult);
    this.memberStore = undefined;
  }

  registerRoutes(app: FastifyInstance): void {
    registerMemberRoutes(app, this);
  }

  /** Taps another service claims first (staff cards: their issue, sign-in, bay readers). */
  claimTapsWith(claimant: TapClaimant): void {
    this.claimant = claimant;
  }

  /** One tap on a configured reader (or the demo's pretend reader). */
  async handleTap(reader: ReaderConfig, tap: CardTap): Promise<void> {
    if (this.claimant?.claims(reader)) return this.claimant.handleTap(reader, tap);
    const store = this.store;
    if (reader.role === 'desk') {
      const pending = this.pending.pending(reader.station);
      if (pending) return this.issueOnTap(pending, reader, tap);
    }
    const outcome = recogniseTap(tap, (id) => this.keys.get(id), store);
    this.taps.inc({ result: outcome.kind === 'member' ? 'member' : outcome.refusal });
    if (outcome.kind === 'refused') this.logRefusal(reader, outcome);
    if (reader.role === 'kiosk') await this.answerKiosk(reader, tap, outcome);
    else await this.answerDesk(reader, tap, outcome);
  }

  /** The opaque reference of a member for URLs. */
  refOf(memberId: number): string {
    return this.opaque().encode(memberId);
  }

  /** The member id behind a reference; a made-up reference is simply not found. */
  memberIdOf(ref: string): number {
    const id = this.opaque().decode(ref);
    if (id === undefined || !this.store.member(id)) throw new MemberError('member-not-found', 'no such member');
    return id;
  }

  /** Search results for the desk, masked like the file. */
  search(query: string, limit: number): MemberSearchAnswer['members'] {
    return this.store.search(query, limit).map(({ id, ...m }) => ({ ...m, ref: this.refOf(id), phone: maskPhone(m.phone) }));
  }

  /** A member's full mobile number for a staff member who asked for it; the asking is audited. */
  revealPhone(ref: string, actor: Actor): string | null {
    const id = this.memberIdOf(ref);
    return this.ctx.identity.audit.record(actor, () => this.store.member(id)?.phone ?? null, () => ({ action: 'member.reveal-phone', target: `member:${ref}` }));
  }

  /** The desk's full view of a member, from a desk session or by member id; the mobile number masked. */
  memberFile(memberId: number, session?: MemberSession): MemberFile {
    const member = this.store.member(memberId);
    if (!member) throw new MemberError('member-not-found', 'no such member');
    const { now } = this.ctx;
    const today = localDate(now(), this.ctx.config.store.timeZone);
    const cards = this.store.cardsOfMember(memberId).filter((c) => !c.revokedAt);
    const options = { days: this.ctx.config.members.reminderDays, km: this.ctx.config.members.reminderKm };
    return {
      member: { ref: this.refOf(member.id), name: member.name, phone: maskPhone(member.phone), level: member.level, points: member.points, birthday: member.birthday, birthdayToday: isBirthday(member, today) },
      vehicles: member.vehicles.map((v) => {
        const card = cards.find((c) => c.vehicleId === v.id);
        return {
          ...v,
          reminders: remindersFor(v, today, options).map((r) => ({ kind: r.kind, dueDate: r.dueDate, dueKm: r.kind === 'maintenance' ? r.dueKm : null, overdue: r.overdue })),
          card: card ? { uid: card.uid, keyId: card.keyId, issuedAt: card.issuedAt } : null,
        };
      }),
      appointments: member.appointments,
      visits: this.store.visits(memberId, VISITS_SHOWN).map(({ ticketNumber, service, at, via, desk }) => ({ ticketNumber, service, at, via, desk })),
      tappedVehicleId: session?.vehicleId ?? null,
      linkedTicket: session?.linkedTicket ?? null,
    };
  }

  /**
   * A tap's session, for the station it happened at: a kiosk only acts on its own greetings, a
   * desk only reads its own taps (`stations` undefined: any, for staff without a desk).
   */
  session(sessionId: string, role: MemberSession['role'], stations?: readonly string[]): MemberSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.role !== role || (stations && !stations.includes(session.station))) throw new MemberError('session-not-found', 'this tap has expired; please tap the card again');
    return session;
  }

  /**
   * A walk-in ticket for the member greeted at the kiosk: VIP levels are called first. The visit
   * is stored with it, in one transaction; announce() the result once committed.
   */
  ticketFor(sessionId: string, service: string, caller: Caller): CommandResult {
    const session = this.session(sessionId, 'kiosk', caller.stations);
    return this.ctx.db.transaction(() => {
      const member = this.memberOf(session);
      const priority = walkInPriority(member.level, this.ctx.config.members.vipLevels);
      const issued = this.queue.commit({ action: 'issue', service, priority, memberRef: memberRef(session) }, caller.actor);
      this.recordVisit(session, issued, 'kiosk', null);
      return issued;
    })();
  }

  /**
   * Checks in today's appointment of the tapped vehicle: an appointment-class ticket for its
   * service. Reading the appointment, issuing the ticket and marking the appointment are one
   * transaction with no await inside, so a double tap or a second kiosk gets no second ticket:
   * the later one finds the appointment checked in, and a refused ticket (the day is full)
   * leaves it booked. announce() the result once committed.
   */
  checkInFor(sessionId: string, caller: Caller): CommandResult {
    const session = this.session(sessionId, 'kiosk', caller.stations);
    return this.ctx.db.transaction(() => {
      const member = this.memberOf(session);
      const appointment = todaysAppointment(member, session.vehicleId, this.ctx.now(), this.ctx.config.store.timeZone);
      if (!appointment || appointment.status !== 'booked') throw new MemberError('no-appointment', 'no appointment to check in today');
      const issued = this.queue.commit({ action: 'issue', service: appointment.service, priority: 'appointment', memberRef: memberRef(session) }, caller.actor);
      const { event } = issued;
      if ('ticket' in event) this.store.checkIn(appointment.id, ticketKey(event.ticket.businessDay, event.ticket.number), event.at);
      this.recordVisit(session, issued, 'kiosk', null);
      return issued;
    })();
  }

  /** Tells the screens what a committed ticket changed. */
  announce(result: CommandResult): Promise<CommandResult> {
    return this.queue.announce(result);
  }

  /** `card:issue`: the next card tapped on the desk's reader is written for the vehicle. */
  requestIssue(desk: string, vehicleId: number, by: Actor): { reader: string; until: string } {
    const reader = [...this.readers.values()].find((r) => r.role === 'desk' && r.station === desk) ?? (this.demo ? demoReader('desk', desk) : undefined);
    if (!reader) throw new MemberError('no-desk-reader', `desk ${desk} has no card reader in devices.readers`);
    const found = this.store.byVehicle(vehicleId);
    if (!found) throw new MemberError('vehicle-not-found', `no vehicle ${vehicleId}`);
    this.cancelIssue(desk);
    const { until } = this.pending.open((until) => ({ desk, memberId: found.member.id, vehicleId, by, until }));
    this.ctx.log.info({ desk, vehicleId, by: by.actor }, 'member card issue: waiting for a card on the desk reader');
    return { reader: reader.id, until: new Date(until).toISOString() };
  }

  cancelIssue(desk: string): void {
    this.pending.remove(desk);
  }

  /** Demo mode: a pretend card on a pretend reader, through the same checks as a real tap. */
  async demoTap(role: 'kiosk' | 'desk', station: string, card: 'member' | 'phone' | 'unknown' | 'clone'): Promise<void> {
    if (!this.demo) throw new MemberError('not-demo', 'pretend taps exist in demo mode only');
    const at = this.ctx.now().toISOString();
    const uid = randomBytes(7);
    uid[0] = 0x04;
    const memberId = 1 + Math.floor(Math.random() * Math.min(DEMO_MEMBERS, this.store.count() || 1));
    const data = encodeCard(uid, { memberId, vehicleId: demoVehicleId(memberId) }, this.currentKey);
    if (card === 'clone') data[15] = data[15]! ^ 0xff;
    // While the desk waits to issue a card, the pretend card is a blank one.
    const blank = card === 'unknown' || (role === 'desk' && this.pending.pending(station) !== undefined);
    const tap: CardTap =
      card === 'phone' ? { kind: 'iso14443-4', at } : { kind: 'ntag', uid: uid.toString('hex'), data: blank ? '00'.repeat(16) : data.toString('hex'), at };
    await this.handleTap(demoReader(role, station), tap);
  }

  private memberOf(session: MemberSession): MemberRecord {
    const member = this.store.member(session.memberId);
    if (!member) throw new MemberError('member-not-found', 'the member is no longer known');
    return member;
  }

  private recordVisit(session: MemberSession, result: CommandResult, via: 'kiosk' | 'desk', desk: string | null): void {
    if (!('ticket' in result.event)) return;
    const { ticket } = result.event;
    this.store.recordVisit({ ticketId: ticket.id, ticketNumber: ticket.number, service: ticket.service, memberId: session.memberId, vehicleId: session.vehicleId, at: result.event.at, via, desk });
  }

  private async answerKiosk(reader: ReaderConfig, tap: CardTap, outcome: TapOutcome): Promise<void> {
    const { now, config } = this.ctx;
    const topic = topics.kioskSession(config.store.id, reader.station);
    if (outcome.kind === 'refused') {
      const refusal: KioskSession = { result: outcome.refusal, tapAt: tap.at, at: now().toISOString() };
      return publishJson(this.ctx.broker, topic, refusal, false);
    }
    const session = this.sessions.open({ role: 'kiosk', station: reader.station, memberId: outcome.member.id, vehicleId: outcome.vehicle.id, linkedTicket: null });
    const greeting = kioskGreeting(
      outcome.member,
      outcome.vehicle,
      { now: now(), timeZone: config.store.timeZone, reminders: { days: config.members.reminderDays, km: config.members.reminderKm } },
      { sessionId: session.id, tapAt: tap.at },
    );
    await publishJson(this.ctx.broker, topic, greeting, false);
  }

  private async answerDesk(reader: ReaderConfig, tap: CardTap, outcome: TapOutcome): Promise<void> {
    if (outcome.kind === 'refused') return this.publishDesk(reader.station, { result: outcome.refusal, tapAt: tap.at });
    const linked = this.linkToDeskTicket(reader.station, outcome.member.id, outcome.vehicle.id);
    const session = this.sessions.open({ role: 'desk', station: reader.station, memberId: outcome.member.id, vehicleId: outcome.vehicle.id, linkedTicket: linked });
    await this.publishDesk(reader.station, { result: 'member', sessionId: session.id, ...(linked ? { linkedTicket: linked } : {}), tapAt: tap.at });
  }

  /** The ticket being served at the desk (else the latest called) now belongs to this member's visits. */
  private linkToDeskTicket(desk: string, memberId: number, vehicleId: number): string | null {
    let current;
    try {
      current = this.queue.engine.deskState(desk).current;
    } catch (err) {
      if (err instanceof QueueError) return null;
      throw err;
    }
    const ticket = current.find((t) => t.state === 'serving') ?? current.at(-1);
    if (!ticket) return null;
    this.store.recordVisit({ ticketId: ticket.id, ticketNumber: ticket.number, service: ticket.service, memberId, vehicleId, at: this.ctx.now().toISOString(), via: 'desk', desk });
    return ticket.number;
  }

  private async issueOnTap(pending: PendingIssue, reader: ReaderConfig, tap: CardTap): Promise<void> {
    if (pending.write) return; // one write at a time; its answer decides
    if (tap.kind !== 'ntag' || !tap.uid || !tap.data) {
      return this.publishDesk(pending.desk, { result: tap.kind === 'iso14443-4' ? 'not-member-card' : 'unreadable', tapAt: tap.at });
    }
    const uid = Buffer.from(tap.uid, 'hex');
    const existing = verifyCard(uid, Buffer.from(tap.data, 'hex'), (id) => this.keys.get(id));
    // A genuine card of another vehicle is someone's card: never overwrite it by accident.
    if (existing.ok && existing.vehicleId !== pending.vehicleId && !this.store.card(tap.uid)?.revokedAt) {
      return this.publishDesk(pending.desk, { result: 'card-issue-failed', reason: 'card-in-use', tapAt: tap.at });
    }
    const data = encodeCard(uid, { memberId: pending.memberId, vehicleId: pending.vehicleId }, this.currentKey);
    const requestId = randomUUID();
    const timer = setTimeout(() => void this.writeFailed(pending, 'no-answer'), WRITE_ANSWER_MS);
    pending.write = { requestId, uid: tap.uid, reader, tapAt: tap.at, timer };
    const write: CardWrite = { requestId, uid: tap.uid, page: 4, data: data.toString('hex'), at: this.ctx.now().toISOString() };
    if (reader.id.startsWith('demo-')) {
      // The demo's pretend reader has nothing to write to: answer for it.
      await this.writeDone(pending, { requestId, ok: true, at: write.at });
      return;
    }
    await publishJson(this.ctx.broker, topics.deviceWrite(this.ctx.config.store.id, reader.id), write, false);
  }

  private async writeDone(pending: PendingIssue, result: CardWriteResult): Promise<void> {
    const write = pending.write;
    if (!write || write.requestId !== result.requestId) return;
    clearTimeout(write.timer);
    if (!result.ok) return this.writeFailed(pending, result.error ?? 'write-failed');
    const issuedAt = this.ctx.now().toISOString();
    const card = { uid: write.uid, memberId: pending.memberId, vehicleId: pending.vehicleId, keyId: this.currentKey.id, issuedAt, issuedBy: pending.by.actor, revokedAt: null };
    this.ctx.identity.audit.record(pending.by, () => this.store.recordCard(card), () => ({
      action: 'member.card-issue',
      target: `member:${this.refOf(pending.memberId)}`,
      detail: { vehicleId: pending.vehicleId, uid: write.uid, keyId: card.keyId, desk: pending.desk },
    }));
    this.pending.remove(pending.desk);
    this.taps.inc({ result: 'card-issued' });
    this.ctx.log.info({ desk: pending.desk, vehicleId: pending.vehicleId, uid: write.uid, keyId: this.currentKey.id }, 'member card issued');
    const session = this.sessions.open({ role: 'desk', station: pending.desk, memberId: pending.memberId, vehicleId: pending.vehicleId, linkedTicket: null });
    await this.publishDesk(pending.desk, { result: 'card-issued', sessionId: session.id, tapAt: write.tapAt });
  }

  private async writeFailed(pending: PendingIssue, reason: string): Promise<void> {
    const tapAt = pending.write?.tapAt ?? this.ctx.now().toISOString();
    clearTimeout(pending.write?.timer);
    delete pending.write;
    this.ctx.log.warn({ desk: pending.desk, reason }, 'member card could not be written; tap it again');
    await this.publishDesk(pending.desk, { result: 'card-issue-failed', reason, tapAt });
  }

  private publishDesk(desk: string, fields: Omit<DeskSession, 'at'>): Promise<void> {
    const payload: DeskSession = { ...fields, at: this.ctx.now().toISOString() };
    return publishJson(this.ctx.broker, topics.deskSession(this.ctx.config.store.id, desk), payload, false);
  }

  private logRefusal(reader: ReaderConfig, outcome: Extract<TapOutcome, { kind: 'refused' }>): void {
    const fields = { reader: reader.id, station: reader.station, uid: outcome.uid, refusal: outcome.refusal };
    if (outcome.possibleClone) this.ctx.log.warn(fields, 'possible cloned member card: the MAC does not match the card UID; refused');
    else if (outcome.refusal === 'not-genuine' || outcome.refusal === 'revoked') this.ctx.log.warn(fields, 'member card refused');
    else this.ctx.log.info(fields, 'card tap not recognised');
  }

  private readonly onTap = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const reader = this.readers.get(parseTopic(packet.topic)?.rest[1] ?? '');
    const tap = CardTap.safeParse(safeJson(packet.payload));
    if (!reader || !tap.success) {
      if (!reader) this.ctx.log.warn({ topic: packet.topic }, 'tap from a reader not in devices.readers; ignored');
      return;
    }
    this.handleTap(reader, tap.data).catch((err: unknown) => this.ctx.log.error({ err, reader: reader.id }, 'tap handling failed'));
  };

  private readonly onWriteResult = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const result = CardWriteResult.safeParse(safeJson(packet.payload));
    if (!result.success) return;
    const pending = this.pending.byRequest(result.data.requestId);
    if (pending) this.writeDone(pending, result.data).catch((err: unknown) => this.ctx.log.error({ err }, 'card issue failed'));
  };

  private subscribe(topic: string, handler: (packet: AedesPublishPacket, done: () => void) => void): Promise<void> {
    return new Promise((resolve) => this.ctx.broker.subscribe(topic, handler, resolve));
  }

  private unsubscribe(topic: string, handler: (packet: AedesPublishPacket, done: () => void) => void): Promise<void> {
    return new Promise((resolve) => this.ctx.broker.unsubscribe(topic, handler, resolve));
  }
}


/** What a ticket keeps of its member: opaque to the queue, never published. */
function memberRef(session: MemberSession): string {
  return `member:${session.memberId}/vehicle:${session.vehicleId}`;
}

function demoReader(role: 'kiosk' | 'desk', station: string): ReaderConfig {
  return { id: `demo-${role}-${station}`.slice(0, 32), pcscName: 'demo', role, station, agent: 'remote' };
}

function safeJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}

