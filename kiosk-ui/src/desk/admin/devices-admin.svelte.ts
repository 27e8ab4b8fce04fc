import { z } from 'zod';
import { DeviceList, EnrolledDevice, PendingEnrolments, type ScreenKind } from '@forecourt/gateway/protocol';
import { post, request } from '@forecourt/screen-lib/api.js';

/** New pairing requests show up without a click while the panel is open. */
const POLL_MS = 3000;

export type PendingRequest = PendingEnrolments['requests'][number];

/** What the last action came to, kept as codes so that it follows a change of language. */
export type AdminNotice =
  | { ok: true; kind: 'approved'; name: string; id: string; seq: number }
  | { ok: true; kind: 'rejected'; code: string; seq: number }
  | { ok: true; kind: 'revoked'; id: string; seq: number }
  | { ok: false; code: string; seq: number };

const Approved = z.object({ device: EnrolledDevice });
const Ok = z.object({}).loose();

/**
 * The desk's Devices panel (installers and managers): screens waiting with a pairing code, which
 * are approved (named, with their station) or rejected, and the enrolled and provisioned devices,
 * which can be revoked.
 */
export class DevicesAdmin {
  pending = $state.raw<PendingRequest[]>([]);
  devices = $state.raw<EnrolledDevice[]>([]);
  notice = $state<AdminNotice | undefined>(undefined);
  busy = $state(false);
  loaded = $state(false);
  private seq = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Starts (or stops) keeping the lists current. */
  watch(on: boolean): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!on) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refreshPending(), POLL_MS);
  }

  dispose(): void {
    this.watch(false);
  }

  async refresh(): Promise<void> {
    await Promise.all([this.refreshPending(), this.refreshDevices()]);
    this.loaded = true;
  }

  async approve(input: { code: string; name: string; kind?: ScreenKind; station?: string }): Promise<boolean> {
    const body = { code: input.code.replace(/\s/g, ''), name: input.name.trim(), ...(input.kind ? { kind: input.kind } : {}), ...(input.station?.trim() ? { station: input.station.trim() } : {}) };
    const answer = await this.act(() => request('/api/enrol/approve', Approved, post(body)));
    if (!answer) return false;
    this.notice = { ok: true, kind: 'approved', name: answer.device.name, id: answer.device.id, seq: ++this.seq };
    return true;
  }

  async reject(code: string): Promise<void> {
    if (await this.act(() => request('/api/enrol/reject', Ok, post({ code })))) this.notice = { ok: true, kind: 'rejected', code, seq: ++this.seq };
  }

  async revoke(id: string): Promise<void> {
    if (await this.act(() => request(`/api/devices/${encodeURIComponent(id)}/revoke`, Ok, post({})))) this.notice = { ok: true, kind: 'revoked', id, seq: ++this.seq };
  }

  private async act<T>(work: () => Promise<{ ok: true; body: T } | { ok: false; code: string }>): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      const answer = await work();
      if (!answer.ok) {
        this.notice = { ok: false, code: answer.code, seq: ++this.seq };
        return undefined;
      }
      return answer.body;
    } finally {
      this.busy = false;
      await this.refresh();
    }
  }

  private async refreshPending(): Promise<void> {
    const answer = await request('/api/enrol/requests', PendingEnrolments);
    if (answer.ok) this.pending = answer.body.requests;
  }

  private async refreshDevices(): Promise<void> {
    const answer = await request('/api/devices', DeviceList);
    if (answer.ok) this.devices = answer.body.devices;
  }
}
