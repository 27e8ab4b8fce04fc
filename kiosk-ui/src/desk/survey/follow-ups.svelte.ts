import type { CallOutcome, FollowUpList } from '@forecourt/gateway/protocol';
import { closeFlag, fetchFollowUps, recordCall, revealPhone } from '../../lib/survey-api.js';

export interface FollowUpNotice {
  ok: boolean;
  /** An error code, or the order the recorded call was about. */
  code: string;
  seq: number;
}

/**
 * The desk's follow-up calls (回訪): the orders due today and the open complaints, loaded while
 * the panel is open; a call's outcome or a closed complaint reloads the list. Revealed numbers
 * live here only while the panel shows them.
 */
export class FollowUps {
  list = $state<FollowUpList | undefined>(undefined);
  failure = $state<string | undefined>(undefined);
  busy = $state(false);
  notice = $state<FollowUpNotice | undefined>(undefined);
  /** Full numbers revealed on request, by member reference (the gateway audits each). */
  revealed = $state<Record<string, string | null>>({});
  private seq = 0;

  async load(): Promise<void> {
    const result = await fetchFollowUps();
    if (result.ok) {
      this.list = result.body;
      this.failure = undefined;
    } else this.failure = result.code;
  }

  async record(order: string, outcome: CallOutcome, note: string): Promise<boolean> {
    return this.act(order, () => recordCall(order, { outcome, ...(note.trim() ? { note: note.trim() } : {}) }));
  }

  async close(id: number, note: string): Promise<boolean> {
    return this.act(String(id), () => closeFlag(id, note));
  }

  async reveal(ref: string): Promise<void> {
    const result = await revealPhone(ref);
    if (result.ok) this.revealed = { ...this.revealed, [ref]: result.body.phone };
  }

  private async act(subject: string, work: () => Promise<{ ok: boolean; code?: string }>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      const result = await work();
      this.notice = { ok: result.ok, code: result.ok ? subject : (result.code ?? 'error'), seq: ++this.seq };
      if (result.ok) await this.load();
      return result.ok;
    } finally {
      this.busy = false;
    }
  }
}
