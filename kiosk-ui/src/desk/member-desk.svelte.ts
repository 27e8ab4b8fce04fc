import { MemberFile, MemberSearchAnswer, RevealedPhone, type DeskSession } from '@forecourt/gateway/protocol';
import { z } from 'zod';
import { post as postJson, request, type ApiResult } from '@forecourt/screen-lib/api.js';
import type { Bus } from '@forecourt/screen-lib/bus.svelte.js';
import { DeskReaderTaps } from './desk-reader-taps.svelte.js';

export type DeskTapNotice = { kind: 'refused' | 'issue-failed' | 'issued'; code: string; seq: number };

/**
 * The member side of a desk console: a tap on the desk's reader opens the member's file (over
 * HTTP, since the bus never carries names), staff can search, and issue a card to a vehicle.
 */
export class DeskMember {
  open = $state(false);
  file = $state<MemberFile | undefined>(undefined);
  results = $state<MemberSearchAnswer['members'] | undefined>(undefined);
  /** The vehicle a card is being issued to, while the desk reader waits for the card. */
  issuing = $state<number | undefined>(undefined);
  notice = $state<DeskTapNotice | undefined>(undefined);
  failed = $state(false);
  private seq = 0;
  private readonly taps: DeskReaderTaps;

  constructor(bus: Bus) {
    this.taps = new DeskReaderTaps(bus, (tap) => void this.onTap(tap));
  }

  /** Listens to the taps on this desk's reader only. */
  use(desk: string | undefined): void {
    this.taps.use(desk);
  }

  dispose(): void {
    this.taps.dispose();
  }

  async search(query: string): Promise<void> {
    const result = await get(`/api/members?q=${encodeURIComponent(query)}`, MemberSearchAnswer);
    this.failed = !result.ok;
    this.results = result.ok ? result.body.members : [];
  }

  async show(ref: string): Promise<void> {
    const result = await get(`/api/members/${encodeURIComponent(ref)}`, MemberFile);
    this.failed = !result.ok;
    if (result.ok) this.file = result.body;
  }

  /** The member's full mobile number, shown on request (the gateway writes an audit row). */
  async revealPhone(): Promise<void> {
    const file = this.file;
    if (!file) return;
    const result = await request(`/api/members/${encodeURIComponent(file.member.ref)}/reveal-phone`, RevealedPhone, postJson({}));
    if (result.ok && this.file === file) this.file = { ...file, member: { ...file.member, phone: result.body.phone } };
  }

  async issueCard(vehicleId: number): Promise<void> {
    const desk = this.taps.desk;
    if (!desk) return;
    const result = await post('/api/members/commands', { action: 'card:issue', desk, vehicleId });
    if (result.ok) this.issuing = vehicleId;
    else this.notice = { kind: 'issue-failed', code: result.code, seq: ++this.seq };
  }

  async cancelIssue(): Promise<void> {
    const desk = this.taps.desk;
    this.issuing = undefined;
    if (desk) await post('/api/members/commands', { action: 'card:cancel', desk });
  }

  async demoTap(): Promise<void> {
    const desk = this.taps.desk;
    if (desk) await post('/api/members/demo-tap', { role: 'desk', station: desk });
  }

  close(): void {
    this.open = false;
    this.file = undefined;
    this.results = undefined;
    this.notice = undefined;
  }

  private async onTap(tap: DeskSession): Promise<void> {
    // A staff card being issued on this reader: the Staff cards panel's business.
    if (tap.result === 'staff-card-issued' || tap.result === 'staff-card-issue-failed') return;
    this.open = true;
    if (tap.result === 'card-issue-failed') {
      this.notice = { kind: 'issue-failed', code: tap.reason ?? 'write-failed', seq: ++this.seq };
      return;
    }
    if (!tap.sessionId) {
      this.notice = { kind: 'refused', code: tap.result, seq: ++this.seq };
      return;
    }
    if (tap.result === 'card-issued') {
      this.issuing = undefined;
      this.notice = { kind: 'issued', code: 'card-issued', seq: ++this.seq };
    } else {
      this.notice = undefined;
    }
    const result = await get(`/api/members/sessions/${tap.sessionId}`, MemberFile);
    this.failed = !result.ok;
    if (result.ok) {
      this.file = result.body;
      this.results = undefined;
    }
  }
}

function get<S extends z.ZodType>(url: string, schema: S): Promise<ApiResult<z.infer<S>>> {
  return request(url, schema);
}

const Ok = z.object({}).loose();

function post(url: string, body: object): Promise<ApiResult<unknown>> {
  return request(url, Ok, postJson(body));
}
