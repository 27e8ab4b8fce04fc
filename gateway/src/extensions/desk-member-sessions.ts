import { publishJson } from '../broker/publish.js';
import type { TapOutcome } from '../domain/members/index.js';
import { QueueError } from '../domain/queue/index.js';
import { topics, type DeskSession } from '../protocol/index.js';
import type { ExtensionContext } from './extension.js';
import type { MemberDirectory } from './member-directory.js';
import type { QueueService } from './queue-service.js';

/**
 * A member's session at a front desk, told to the desk's screens on its topic: a member card
 * tapped at the desk's reader (the visit linked to the desk's ticket) or a card just issued there.
 */
export class DeskMemberSessions {
  constructor(
    private readonly ctx: ExtensionContext,
    private readonly members: MemberDirectory,
    private readonly queue: QueueService,
  ) {}

  /** A tap at the desk's reader: its refusal, or a session for the member. */
  async tapped(desk: string, tapAt: string, outcome: TapOutcome): Promise<void> {
    if (outcome.kind === 'refused') return this.publish(desk, { result: outcome.refusal, tapAt });
    const linked = this.linkToDeskTicket(desk, outcome.member.id, outcome.vehicle.id);
    const session = this.members.openSession({ role: 'desk', station: desk, memberId: outcome.member.id, vehicleId: outcome.vehicle.id, linkedTicket: linked });
    await this.publish(desk, { result: 'member', sessionId: session.id, ...(linked ? { linkedTicket: linked } : {}), tapAt });
  }

  /** A card was just written at the desk: the desk reads the member's file as after a tap. */
  async cardIssued(desk: string, memberId: number, vehicleId: number, tapAt: string): Promise<void> {
    const session = this.members.openSession({ role: 'desk', station: desk, memberId, vehicleId, linkedTicket: null });
    await this.publish(desk, { result: 'card-issued', sessionId: session.id, tapAt });
  }

  publish(desk: string, fields: Omit<DeskSession, 'at'>): Promise<void> {
    const payload: DeskSession = { ...fields, at: this.ctx.now().toISOString() };
    return publishJson(this.ctx.broker, topics.deskSession(this.ctx.config.store.id, desk), payload, false);
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
    this.members.store.recordVisit({ ticketId: ticket.id, ticketNumber: ticket.number, service: ticket.service, memberId, vehicleId, at: this.ctx.now().toISOString(), via: 'desk', desk });
    return ticket.number;
  }
}
