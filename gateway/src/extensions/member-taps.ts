import { randomBytes } from 'node:crypto';
import type { AedesPublishPacket } from 'aedes';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { jsonPayload } from '../broker/json-payload.js';
import { publishJson } from '../broker/publish.js';
import type { ReaderConfig } from '../config/readers.js';
import { DEMO_MEMBERS, demoVehicleId } from '../demo/demo-members.js';
import { MemberError, encodeCard, kioskGreeting, recogniseTap, type TapOutcome } from '../domain/members/index.js';
import { registerDemoTapRoute, type DemoTapApi } from '../http/member-routes.js';
import { CardTap, parseTopic, topics, type KioskSession } from '../protocol/index.js';
import type { DeskMemberSessions } from './desk-member-sessions.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { MemberCardKeys } from './member-card-keys.js';
import type { MemberDirectory } from './member-directory.js';

/** A service that takes some taps before they are taken for member cards. */
export interface TapClaimant {
  claims(reader: ReaderConfig): boolean;
  handleTap(reader: ReaderConfig, tap: CardTap): Promise<void>;
}

export interface MemberTapsDeps {
  members: MemberDirectory;
  keys: MemberCardKeys;
  desks: DeskMemberSessions;
  /** Staff cards: their issue, sign-in and bay readers take a tap first. */
  staffCards: TapClaimant;
  /** Then a desk waiting to issue a member card takes its reader's tap. */
  cardIssue: TapClaimant;
  /** forecourt_card_taps_total, shared with the card issue. */
  taps: Counter<'result'>;
}

/** Member-card taps by outcome, counted by the taps and the card issue; one per metrics registry. */
export function cardTapCounter(ctx: ExtensionContext): Counter<'result'> {
  return new Counter({
    name: 'forecourt_card_taps_total',
    help: 'Member-card taps by outcome (not-genuine counts possible clones)',
    labelNames: ['result'] as const,
    registers: [ctx.metrics.registry],
  });
}

/**
 * Card taps at the readers (device/+/tap): a member card is checked and answered with a masked
 * greeting on the kiosk's topic or a session for the desk; anything else with its refusal. Taps
 * a claimant takes (staff cards, a card being issued) are handed over unread.
 */
export class MemberTaps implements Extension, DemoTapApi {
  readonly name = 'member-taps';
  private readonly readers: Map<string, ReaderConfig>;
  private readonly tapTopic: string;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly deps: MemberTapsDeps,
    private readonly demo: boolean,
  ) {
    this.readers = new Map(ctx.config.devices.readers.map((r) => [r.id, r]));
    this.tapTopic = topics.deviceTapAll(ctx.config.store.id);
  }

  async start(): Promise<void> {
    const { config, log } = this.ctx;
    if (this.deps.keys.demoOnly) {
      log.warn('members.cardKeys is empty: member cards use the public demo key, so anyone could make one. Set a dealer-group key before real cards are issued.');
    }
    const queueDesks = new Set(config.queue.desks.map((d) => d.id));
    for (const r of this.readers.values()) {
      if (r.role === 'desk' && !queueDesks.has(r.station)) log.error({ reader: r.id }, `reader ${r.id} is for desk ${r.station}, which queue.desks does not have`);
    }
    await new Promise<void>((resolve) => this.ctx.broker.subscribe(this.tapTopic, this.onTap, resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.ctx.broker.unsubscribe(this.tapTopic, this.onTap, resolve));
  }

  registerRoutes(app: FastifyInstance): void {
    registerDemoTapRoute(app, this);
  }

  /** One tap on a configured reader (or the demo's pretend reader). */
  async handleTap(reader: ReaderConfig, tap: CardTap): Promise<void> {
    const claimant = [this.deps.staffCards, this.deps.cardIssue].find((c) => c.claims(reader));
    if (claimant) return claimant.handleTap(reader, tap);
    const outcome = recogniseTap(tap, (id) => this.deps.keys.key(id), this.deps.members.store);
    this.deps.taps.inc({ result: outcome.kind === 'member' ? 'member' : outcome.refusal });
    if (outcome.kind === 'refused') this.logRefusal(reader, outcome);
    if (reader.role === 'kiosk') await this.answerKiosk(reader, tap, outcome);
    else await this.deps.desks.tapped(reader.station, tap.at, outcome);
  }

  /** Demo mode: a pretend card on a pretend reader, through the same checks as a real tap. */
  async demoTap(role: 'kiosk' | 'desk', station: string, card: 'member' | 'phone' | 'unknown' | 'clone'): Promise<void> {
    if (!this.demo) throw new MemberError('not-demo', 'pretend taps exist in demo mode only');
    const at = this.ctx.now().toISOString();
    const uid = randomBytes(7);
    uid[0] = 0x04;
    const memberId = 1 + Math.floor(Math.random() * Math.min(DEMO_MEMBERS, this.deps.members.store.count() || 1));
    const data = encodeCard(uid, { memberId, vehicleId: demoVehicleId(memberId) }, this.deps.keys.current);
    if (card === 'clone') data[15] = data[15]! ^ 0xff;
    const reader = demoReader(role, station);
    // While the desk waits to issue a card, the pretend card is a blank one.
    const blank = card === 'unknown' || (role === 'desk' && this.deps.cardIssue.claims(reader));
    const tap: CardTap =
      card === 'phone' ? { kind: 'iso14443-4', at } : { kind: 'ntag', uid: uid.toString('hex'), data: blank ? '00'.repeat(16) : data.toString('hex'), at };
    await this.handleTap(reader, tap);
  }

  private async answerKiosk(reader: ReaderConfig, tap: CardTap, outcome: TapOutcome): Promise<void> {
    const { now, config } = this.ctx;
    const topic = topics.kioskSession(config.store.id, reader.station);
    if (outcome.kind === 'refused') {
      const refusal: KioskSession = { result: outcome.refusal, tapAt: tap.at, at: now().toISOString() };
      return publishJson(this.ctx.broker, topic, refusal, false);
    }
    const session = this.deps.members.openSession({ role: 'kiosk', station: reader.station, memberId: outcome.member.id, vehicleId: outcome.vehicle.id, linkedTicket: null });
    const greeting = kioskGreeting(
      outcome.member,
      outcome.vehicle,
      { now: now(), timeZone: config.store.timeZone, reminders: { days: config.members.reminderDays, km: config.members.reminderKm } },
      { sessionId: session.id, tapAt: tap.at },
    );
    await publishJson(this.ctx.broker, topic, greeting, false);
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
    const tap = CardTap.safeParse(jsonPayload(packet.payload));
    if (!reader || !tap.success) {
      if (!reader) this.ctx.log.warn({ topic: packet.topic }, 'tap from a reader not in devices.readers; ignored');
      return;
    }
    this.handleTap(reader, tap.data).catch((err: unknown) => this.ctx.log.error({ err, reader: reader.id }, 'tap handling failed'));
  };
}

/** The demo's pretend reader of a station. */
export function demoReader(role: 'kiosk' | 'desk', station: string): ReaderConfig {
  return { id: `demo-${role}-${station}`.slice(0, 32), pcscName: 'demo', role, station, agent: 'remote' };
}
