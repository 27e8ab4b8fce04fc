import { z } from 'zod';
import { KioskSession, TOPIC_ROOT, TicketStatusAnswer } from '@forecourt/gateway/protocol';
import { request, type ApiResult } from '../lib/api.js';
import type { Bus } from '../lib/bus.svelte.js';

export type MemberTicket = TicketStatusAnswer;

const Ok = z.object({}).loose();

/**
 * The customer whose card was tapped on this kiosk's reader. Each tap replaces the session, so a
 * new card on an open greeting starts fresh for the new customer. `?kiosk=ID` picks the kiosk's
 * reader; without it the kiosk answers every kiosk reader of the store (a one-kiosk store).
 */
export class KioskMember {
  session = $state<KioskSession | undefined>(undefined);
  /** Counts taps, so a page can restart its idle countdown on each one. */
  taps = $state(0);
  busy = $state(false);
  error = $state(false);
  readonly kioskId: string | undefined;

  // Read once at start-up; the kiosk's id does not change while the page runs.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  constructor(bus: Bus, kioskId = new URLSearchParams(location.search).get('kiosk') ?? undefined) {
    this.kioskId = kioskId;
    bus.on(`${TOPIC_ROOT}/+/kiosk/${kioskId ?? '+'}/session`, KioskSession, (_t, session) => {
      this.session = session;
      this.error = false;
      this.taps += 1;
    });
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
    await request('/api/members/demo-tap', Ok, post({ role: 'kiosk', station: this.kioskId ?? 'kiosk-1' }));
  }

  private async act(path: 'check-in' | 'ticket', body: object): Promise<MemberTicket | undefined> {
    const session = this.session;
    if (!session || session.result !== 'greeting' || this.busy) return undefined;
    this.busy = true;
    const result: ApiResult<MemberTicket> = await request(`/api/members/sessions/${session.sessionId}/${path}`, TicketStatusAnswer, post(body));
    this.busy = false;
    // Another card may have been tapped meanwhile: its greeting stays.
    if (this.session !== session) return undefined;
    this.error = !result.ok;
    return result.ok ? result.body : undefined;
  }
}

function post(body: object): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
