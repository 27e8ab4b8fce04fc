import { BackupAnswer, BackupStatus } from '@forecourt/gateway/protocol';
import { request } from '@forecourt/screen-lib/api.js';
import { pollWhileVisible } from '../../lib/poll-while-visible.js';

/** Backups change once a day: a minute is soon enough to notice a failure. */
const POLL_MS = 60_000;
/** How long "backed up" stays on screen. */
const RESULT_SHOWN_MS = 30_000;

export type BackupReading = { kind: 'pending' } | { kind: 'known'; status: BackupStatus } | { kind: 'unknown'; code: string };
export type BackupResult = { ok: true; answer: BackupAnswer } | { ok: false; code: string; message: string };

/** The backups as the desk last heard of them, and a "Back up now" with its result. */
export class BackupWatch {
  reading = $state.raw<BackupReading>({ kind: 'pending' });
  running = $state(false);
  result = $state.raw<BackupResult | undefined>(undefined);
  private asked = 0;

  watch(): () => void {
    return pollWhileVisible(() => void this.refresh(), POLL_MS);
  }

  async refresh(): Promise<void> {
    const ask = ++this.asked;
    const answer = await request('/api/backups', BackupStatus);
    if (ask !== this.asked) return;
    this.reading = answer.ok ? { kind: 'known', status: answer.body } : { kind: 'unknown', code: answer.code };
  }

  async backUpNow(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.result = undefined;
    // No body: the gateway decides where and how; a retry would only make a second copy.
    const answer = await request('/api/backups', BackupAnswer, { method: 'POST' });
    this.running = false;
    const result: BackupResult = answer.ok ? { ok: true, answer: answer.body } : { ok: false, code: answer.code, message: answer.message };
    this.result = result;
    // Good news fades; a failure stays until the next try.
    if (result.ok) setTimeout(() => this.result === result && (this.result = undefined), RESULT_SHOWN_MS);
    await this.refresh();
  }
}
