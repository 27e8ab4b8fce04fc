import { z } from 'zod';
import { KioskSession, TOPIC_ROOT, TicketStatusAnswer } from '@forecourt/gateway/protocol';
import { commandOnce, post, request, type ApiResult } from '@forecourt/screen-lib/api.js';
import type { Bus } from '@forecourt/screen-lib/bus.svelte.js';

export type MemberTicket = TicketStatusAnswer;

const Ok = z.object({}).loose();

/**
 * The customer whose card was tapped on this kiosk's reader. Each tap replaces the session, so a
 * new card on an open greeting starts fresh for the new customer. The kiosk reads only its own
 * sessions: `kiosk/{its station}/session` (the station the installer gave it when pairing, else its
 * device id); the broker refuses anything wider.
 */
export class KioskMember {
  session = $state<KioskSession | undefined>(undefined);
  /** Counts taps, so a page can restart its idle countdown on each one. */
  taps = $state(0);
  busy = $state(false);
  error = $state(false);
  kioskId = $state<string | undefined>(undefined);
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly bus: Bus) {}

  /** The kiosk this screen is (its station or id); undefined stops listening. */
  use(kioskId: string | undefined): void {
    if (kioskId === this.kioskId) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.kioskId = kioskId;
    this.clear();
    if (!kioskId) return;
    this.unsubscribe = this.bus.on(`${TOPIC_ROOT}/+/kiosk/${kioskId}/session`, KioskSession, (_t, session) => {
      this.session = session;
      this.error = false;
      this.taps += 1;
    });
  }

  dispose(): void {
    this.use(undefined);
  }

  clear(): void {
    this.session = undefined;
    this.error = false;
  }

  checkIn(): Promise<MemberTicket | undefined> {
    return this.act('check-in', {});
  }

  take(service: string): Promise<MemberTicket | undefined> {
    return this.act('ticket', { service });
  }

  /** Demo mode: a pretend card on this kiosk's reader. */
  async demoTap(): Promise<void> {
    if (this.kioskId) await request('/api/members/demo-tap', Ok, post({ role: 'kiosk', station: this.kioskId }));
  }

  private async act(path: 'check-in' | 'ticket', body: object): Promise<MemberTicket | undefined> {
    const session = this.session;
    if (!session || session.result !== 'greeting' || this.busy) return undefined;
    this.busy = true;
    // Sent again with the same request id when the answer is lost: the ticket taken, not a second one.
    const result: ApiResult<MemberTicket> = await commandOnce(`/api/members/sessions/${session.sessionId}/${path}`, TicketStatusAnswer, body);
    this.busy = false;
    // Another card may have been tapped meanwhile: its greeting stays.
    if (this.session !== session) return undefined;
    this.error = !result.ok;
    return result.ok ? result.body : undefined;
  }
}
