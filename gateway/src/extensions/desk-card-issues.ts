import { jsonPayload } from '../broker/json-payload.js';
import { CardWriteResult } from '../protocol/index.js';

/** A card on the desk reader has this long to be written after the desk asked for one. */
export const ISSUE_WINDOW_MS = 120_000;
/** How long the reader has to answer a card write. */
export const WRITE_ANSWER_MS = 5000;

/** One desk's card issue: open until `until`; once a card is tapped, its write under way. */
export interface DeskIssue {
  desk: string;
  until: number;
  write?: { requestId: string; timer: NodeJS.Timeout };
}

/**
 * The card issues desks wait for, one per desk (member cards and staff cards keep their own): a
 * new one replaces the desk's last, one whose window has passed with no write under way is gone,
 * and a write's answer finds its issue by request id.
 */
export class DeskCardIssues<I extends DeskIssue> {
  private readonly byDesk = new Map<string, I>();

  constructor(private readonly now: () => Date) {}

  /** Opens the desk's issue, open for ISSUE_WINDOW_MS from now (the caller removes the last one first). */
  open(make: (until: number) => I): I {
    const issue = make(this.now().getTime() + ISSUE_WINDOW_MS);
    this.byDesk.set(issue.desk, issue);
    return issue;
  }

  /** The desk's issue, unless its window has passed with no write under way. */
  pending(desk: string): I | undefined {
    const issue = this.byDesk.get(desk);
    if (issue && issue.until < this.now().getTime() && !issue.write) {
      this.byDesk.delete(desk);
      return undefined;
    }
    return issue;
  }

  /** Removes the desk's issue, its write's timer stopped; returns it. */
  remove(desk: string): I | undefined {
    const issue = this.byDesk.get(desk);
    clearTimeout(issue?.write?.timer);
    this.byDesk.delete(desk);
    return issue;
  }

  /** The issue whose write has this request id. */
  byRequest(requestId: string): I | undefined {
    return [...this.byDesk.values()].find((issue) => issue.write?.requestId === requestId);
  }

  /** The issue a reader's write result (device/+/write-result) answers, with the result; undefined for anyone else's. */
  answered(payload: Buffer | string): { issue: I; result: CardWriteResult } | undefined {
    const result = CardWriteResult.safeParse(jsonPayload(payload));
    if (!result.success) return undefined;
    const issue = this.byRequest(result.data.requestId);
    return issue && { issue, result: result.data };
  }

  /**
   * The reader's answer to the issue's write, the write's timer stopped: the write when the card
   * was written, else why not; undefined when it answers no write of this issue under way.
   */
  settle(issue: I, result: CardWriteResult): { written: NonNullable<I['write']> } | { failed: string } | undefined {
    const write = issue.write;
    if (!write || write.requestId !== result.requestId) return undefined;
    clearTimeout(write.timer);
    return result.ok ? { written: write } : { failed: result.error ?? 'write-failed' };
  }

  clear(): void {
    for (const issue of this.byDesk.values()) clearTimeout(issue.write?.timer);
    this.byDesk.clear();
  }
}
