import { RelayStatus } from '@forecourt/gateway/protocol';
import { request } from '@forecourt/screen-lib/api.js';
import { pollWhileVisible } from '../../lib/poll-while-visible.js';

/** How often the desk asks how head office is doing. */
const POLL_MS = 10_000;

/** The last answer to `GET /api/relay/status`, or why there is none. */
export type RelayReading = { kind: 'pending' } | { kind: 'known'; status: RelayStatus } | { kind: 'unknown'; code: string };

/** Head office as the desk last heard of it: one reading shared by the status line and the manager's panel. */
export class RelayStatusWatch {
  reading = $state.raw<RelayReading>({ kind: 'pending' });
  /** Only the newest request may set the reading (a slow answer must not overwrite a newer one). */
  private asked = 0;

  /** Keeps the reading current while the tab is visible; returns the function that stops it. */
  watch(): () => void {
    return pollWhileVisible(() => void this.refresh(), POLL_MS);
  }

  async refresh(): Promise<void> {
    const ask = ++this.asked;
    const answer = await request('/api/relay/status', RelayStatus);
    if (ask !== this.asked) return;
    this.reading = answer.ok ? { kind: 'known', status: answer.body } : { kind: 'unknown', code: answer.code };
  }
}
