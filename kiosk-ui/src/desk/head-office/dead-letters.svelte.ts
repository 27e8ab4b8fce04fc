import { z } from 'zod';
import { DeadLetter } from '@forecourt/gateway/protocol';
import { post, request } from '@forecourt/screen-lib/api.js';
import { pollWhileVisible } from '../../lib/poll-while-visible.js';

/** How often the open panel looks for newly refused events. */
const POLL_MS = 10_000;

const DeadLetterList = z.object({ deadLetters: z.array(DeadLetter) });
const RetryAnswer = z.object({ stored: z.boolean(), reason: z.string().optional() });

/** What the last Retry of a listed event came to, kept as codes so that it follows a change of language. */
export type RetryOutcome = { kind: 'still-refused'; reason: string | undefined } | { kind: 'failed'; code: string };

export const letterKey = (letter: DeadLetter): string => `${letter.transport}:${letter.seq}`;

/**
 * The events head office refused for good (managers): listed while the panel is open, and sent
 * again one at a time. A retry head office accepts takes the event off the list.
 */
export class DeadLetters {
  letters = $state.raw<DeadLetter[]>([]);
  loaded = $state(false);
  /** Why the list could not be read, if it could not. */
  failure = $state<string | undefined>(undefined);
  outcomes = $state.raw<Record<string, RetryOutcome>>({});
  /** The event the last retry got stored (its row is gone, so this says what became of it). */
  stored = $state<number | undefined>(undefined);
  /** The key of the event being retried. */
  retrying = $state<string | undefined>(undefined);

  /** Keeps the list current while the tab is visible; returns the function that stops it. */
  watch(): () => void {
    return pollWhileVisible(() => void this.refresh(), POLL_MS);
  }

  async refresh(): Promise<void> {
    const answer = await request('/api/relay/dead-letters', DeadLetterList);
    this.failure = answer.ok ? undefined : answer.code;
    if (!answer.ok) return;
    this.letters = answer.body.deadLetters;
    this.loaded = true;
  }

  /** Sends the event again; true when head office has stored it now. */
  async retry(letter: DeadLetter): Promise<boolean> {
    if (this.retrying) return false;
    const key = letterKey(letter);
    this.retrying = key;
    this.stored = undefined;
    const answer = await request(`/api/relay/dead-letters/${letter.transport}/${letter.seq}/retry`, RetryAnswer, post({}));
    this.retrying = undefined;
    const others = Object.fromEntries(Object.entries(this.outcomes).filter(([k]) => k !== key));
    const stored = answer.ok && answer.body.stored;
    if (stored) this.stored = letter.seq;
    this.outcomes = stored ? others : { ...others, [key]: answer.ok ? { kind: 'still-refused', reason: answer.body.reason } : { kind: 'failed', code: answer.code } };
    await this.refresh();
    return stored;
  }
}
