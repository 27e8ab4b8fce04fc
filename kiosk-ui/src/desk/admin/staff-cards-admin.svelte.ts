import { z } from 'zod';
import { StaffListAnswer, type DeskSession } from '@forecourt/gateway/protocol';
import { post, request } from '@forecourt/screen-lib/api.js';
import type { Bus } from '@forecourt/screen-lib/bus.svelte.js';
import { DeskReaderTaps } from '../desk-reader-taps.svelte.js';

export type StaffEntry = StaffListAnswer['staff'][number];

/** What the last action came to, as codes (they follow a change of language). */
export type StaffCardNotice =
  | { ok: true; kind: 'issued' | 'revoked'; name: string; seq: number }
  | { ok: false; kind: 'issue-failed'; code: string; seq: number }
  | { ok: false; kind: 'refused'; code: string; seq: number };

const Ok = z.object({}).loose();

/**
 * The desk's Staff cards panel (managers): every staff member with the card they hold; a card is
 * issued on this desk's reader (the next card tapped there is written), or revoked at once.
 */
export class StaffCardsAdmin {
  staff = $state.raw<StaffEntry[]>([]);
  /** The staff member whose card the desk reader waits for. */
  issuing = $state<StaffEntry | undefined>(undefined);
  notice = $state<StaffCardNotice | undefined>(undefined);
  busy = $state(false);
  private seq = 0;
  private readonly taps: DeskReaderTaps;

  constructor(bus: Bus) {
    this.taps = new DeskReaderTaps(bus, (tap) => this.onTap(tap));
  }

  /** Listens to this desk's reader for the outcome of an issue (the same topic as member taps). */
  use(desk: string | undefined): void {
    this.taps.use(desk);
  }

  dispose(): void {
    this.taps.dispose();
  }

  async refresh(): Promise<void> {
    const answer = await request('/api/staff', StaffListAnswer);
    if (answer.ok) this.staff = answer.body.staff;
    else this.notice = { ok: false, kind: 'refused', code: answer.code, seq: ++this.seq };
  }

  async issue(entry: StaffEntry): Promise<void> {
    const desk = this.taps.desk;
    if (!desk) return;
    await this.act({ action: 'issue', staffNo: entry.staffNo, desk }, () => (this.issuing = entry));
  }

  async cancel(): Promise<void> {
    this.issuing = undefined;
    const desk = this.taps.desk;
    if (desk) await this.act({ action: 'cancel', desk }, () => undefined);
  }

  async revoke(entry: StaffEntry): Promise<void> {
    await this.act({ action: 'revoke', staffNo: entry.staffNo }, () => (this.notice = { ok: true, kind: 'revoked', name: entry.name, seq: ++this.seq }));
    await this.refresh();
  }

  private async act(body: object, done: () => void): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const answer = await request('/api/staff/cards/commands', Ok, post(body));
      if (answer.ok) done();
      else this.notice = { ok: false, kind: 'refused', code: answer.code, seq: ++this.seq };
    } finally {
      this.busy = false;
    }
  }

  private onTap(tap: DeskSession): void {
    const entry = this.issuing;
    if (!entry) return;
    if (tap.result === 'staff-card-issued') {
      this.issuing = undefined;
      this.notice = { ok: true, kind: 'issued', name: entry.name, seq: ++this.seq };
      void this.refresh();
    } else if (tap.result === 'staff-card-issue-failed') {
      // The reader still waits: the manager taps the card again, or another one.
      this.notice = { ok: false, kind: 'issue-failed', code: tap.reason ?? 'write-failed', seq: ++this.seq };
    }
  }
}
