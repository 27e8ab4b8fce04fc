import { randomUUID } from 'node:crypto';
import type { AedesPublishPacket } from 'aedes';
import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import { publishJson } from '../broker/publish.js';
import type { ReaderConfig } from '../config/readers.js';
import { MemberError, encodeCard, verifyCard } from '../domain/members/index.js';
import { registerMemberCardRoutes, type MemberCardIssueApi } from '../http/member-routes.js';
import { topics, type CardTap, type CardWrite, type CardWriteResult } from '../protocol/index.js';
import type { Actor } from '../store/audit-log.js';
import { DeskCardIssues, WRITE_ANSWER_MS } from './desk-card-issues.js';
import type { DeskMemberSessions } from './desk-member-sessions.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { MemberCardKeys } from './member-card-keys.js';
import type { MemberDirectory } from './member-directory.js';
import { demoReader, type TapClaimant } from './member-taps.js';

interface PendingIssue {
  desk: string;
  memberId: number;
  vehicleId: number;
  by: Actor;
  until: number;
  write?: { requestId: string; uid: string; reader: ReaderConfig; tapAt: string; timer: NodeJS.Timeout };
}

/**
 * Member cards issued at the desk (`card:issue`): the next card tapped on the desk's reader is
 * written for the vehicle, and once the reader confirms the write the card is recorded (audited)
 * and the desk gets a session for the member.
 */
export class MemberCardIssue implements Extension, TapClaimant, MemberCardIssueApi {
  readonly name = 'member-card-issue';
  private readonly pending = new DeskCardIssues<PendingIssue>(() => this.ctx.now());
  private readonly writeResultTopic: string;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly members: MemberDirectory,
    private readonly keys: MemberCardKeys,
    private readonly desks: DeskMemberSessions,
    private readonly taps: Counter<'result'>,
    private readonly demo: boolean,
  ) {
    this.writeResultTopic = topics.deviceWriteResultAll(ctx.config.store.id);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.ctx.broker.subscribe(this.writeResultTopic, this.onWriteResult, resolve));
  }

  async stop(): Promise<void> {
    this.pending.clear();
    await new Promise<void>((resolve) => this.ctx.broker.unsubscribe(this.writeResultTopic, this.onWriteResult, resolve));
  }

  registerRoutes(app: FastifyInstance): void {
    registerMemberCardRoutes(app, this);
  }

  /** `card:issue`: the next card tapped on the desk's reader is written for the vehicle. */
  requestIssue(desk: string, vehicleId: number, by: Actor): { reader: string; until: string } {
    const reader = this.ctx.config.devices.readers.find((r) => r.role === 'desk' && r.station === desk) ?? (this.demo ? demoReader('desk', desk) : undefined);
    if (!reader) throw new MemberError('no-desk-reader', `desk ${desk} has no card reader in devices.readers`);
    const found = this.members.store.byVehicle(vehicleId);
    if (!found) throw new MemberError('vehicle-not-found', `no vehicle ${vehicleId}`);
    this.cancelIssue(desk);
    const { until } = this.pending.open((until) => ({ desk, memberId: found.member.id, vehicleId, by, until }));
    this.ctx.log.info({ desk, vehicleId, by: by.actor }, 'member card issue: waiting for a card on the desk reader');
    return { reader: reader.id, until: new Date(until).toISOString() };
  }

  cancelIssue(desk: string): void {
    this.pending.remove(desk);
  }

  /** Taps on a desk reader while the desk waits to issue a card. */
  claims(reader: ReaderConfig): boolean {
    return reader.role === 'desk' && this.pending.pending(reader.station) !== undefined;
  }

  async handleTap(reader: ReaderConfig, tap: CardTap): Promise<void> {
    const pending = this.pending.pending(reader.station);
    if (!pending || pending.write) return; // one write at a time; its answer decides
    if (tap.kind !== 'ntag' || !tap.uid || !tap.data) {
      return this.desks.publish(pending.desk, { result: tap.kind === 'iso14443-4' ? 'not-member-card' : 'unreadable', tapAt: tap.at });
    }
    const uid = Buffer.from(tap.uid, 'hex');
    const existing = verifyCard(uid, Buffer.from(tap.data, 'hex'), (id) => this.keys.key(id));
    // A genuine card of another vehicle is someone's card: never overwrite it by accident.
    if (existing.ok && existing.vehicleId !== pending.vehicleId && !this.members.store.card(tap.uid)?.revokedAt) {
      return this.desks.publish(pending.desk, { result: 'card-issue-failed', reason: 'card-in-use', tapAt: tap.at });
    }
    const data = encodeCard(uid, { memberId: pending.memberId, vehicleId: pending.vehicleId }, this.keys.current);
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
    const settled = this.pending.settle(pending, result);
    if (!settled) return;
    if ('failed' in settled) return this.writeFailed(pending, settled.failed);
    const write = settled.written;
    const keyId = this.keys.current.id;
    const card = { uid: write.uid, memberId: pending.memberId, vehicleId: pending.vehicleId, keyId, issuedAt: this.ctx.now().toISOString(), issuedBy: pending.by.actor, revokedAt: null };
    this.ctx.identity.audit.record(pending.by, () => this.members.store.recordCard(card), () => ({
      action: 'member.card-issue',
      target: `member:${this.members.refOf(pending.memberId)}`,
      detail: { vehicleId: pending.vehicleId, uid: write.uid, keyId, desk: pending.desk },
    }));
    this.pending.remove(pending.desk);
    this.taps.inc({ result: 'card-issued' });
    this.ctx.log.info({ desk: pending.desk, vehicleId: pending.vehicleId, uid: write.uid, keyId }, 'member card issued');
    await this.desks.cardIssued(pending.desk, pending.memberId, pending.vehicleId, write.tapAt);
  }

  private async writeFailed(pending: PendingIssue, reason: string): Promise<void> {
    const tapAt = pending.write?.tapAt ?? this.ctx.now().toISOString();
    clearTimeout(pending.write?.timer);
    delete pending.write;
    this.ctx.log.warn({ desk: pending.desk, reason }, 'member card could not be written; tap it again');
    await this.desks.publish(pending.desk, { result: 'card-issue-failed', reason, tapAt });
  }

  private readonly onWriteResult = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const answered = this.pending.answered(packet.payload);
    if (answered) this.writeDone(answered.issue, answered.result).catch((err: unknown) => this.ctx.log.error({ err }, 'card issue failed'));
  };
}
