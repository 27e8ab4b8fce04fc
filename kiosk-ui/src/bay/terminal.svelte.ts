import type { OrderStage, ScanAction } from '@forecourt/gateway/protocol';
import { CARD_VALID_MS, ScanPairing } from '@forecourt/gateway/scan-pairing';
import { fetchOrder, sendWorkshopCommand, type StaffOrder } from '../lib/workshop-api.js';

export interface ScannedCard {
  order: string;
  job?: number;
}

/** What the last scan or tap came to, kept as codes so that it follows a change of language. */
export type BayResult =
  | { ok: true; no: string; job?: number; stage: OrderStage; seq: number }
  | { ok: false; code: string; seq: number };

/**
 * A bay terminal with a keyboard-wedge scanner: the scanner types `<barcode><Enter>` into the
 * page. A job card, then an action (scanned from the action sheet, or tapped), make one command,
 * the same the desk and the serial scanners send. One command at a time.
 */
export class BayTerminal {
  // Raw: replaced whole, and compared by identity when the card's order arrives.
  card = $state.raw<ScannedCard | undefined>(undefined);
  /** The scanned card's order, to show what the technician is about to act on. */
  cardOrder = $state.raw<StaffOrder | undefined>(undefined);
  result = $state<BayResult | undefined>(undefined);
  busy = $state(false);

  private readonly pairing = new ScanPairing();
  private queue: Promise<void> = Promise.resolve();
  private seq = 0;
  private expiry: ReturnType<typeof setTimeout> | undefined;

  /** The technician signed in on the bay is the author of its commands (the gateway takes it from the session). */

  /** One line from the scanner; lines that come while a command is in flight wait their turn. */
  scan(raw: string): Promise<void> {
    this.queue = this.queue.then(() => this.process(raw));
    return this.queue;
  }

  private async process(raw: string): Promise<void> {
    if (!raw.trim()) return;
    // A moment handed to the pairing, never kept in state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const step = this.pairing.read(raw, new Date());
    if (step.kind === 'card') {
      this.showCard(step.card);
      return;
    }
    if (step.kind === 'error') {
      if (step.code !== 'needs-job-card') this.clearCard();
      this.result = { ok: false, code: step.code, seq: ++this.seq };
      return;
    }
    this.busy = true;
    try {
      const answer = await sendWorkshopCommand(step.command);
      this.clearCard();
      const job = 'job' in step.command ? step.command.job : undefined;
      this.result = answer.ok
        ? { ok: true, no: answer.body.order.no, ...(job !== undefined ? { job } : {}), stage: answer.body.order.stage, seq: ++this.seq }
        : { ok: false, code: answer.code, seq: ++this.seq };
    } finally {
      this.busy = false;
    }
  }

  /** A tapped action button does what scanning its barcode would. */
  act(action: ScanAction): Promise<void> {
    return this.scan(`ACT-${action}`);
  }

  dispose(): void {
    clearTimeout(this.expiry);
  }

  /** Forgets the card and the last result (the technician signed out). */
  reset(): void {
    this.clearCard();
    this.result = undefined;
  }

  private showCard(card: ScannedCard): void {
    this.card = card;
    this.cardOrder = undefined;
    this.result = undefined;
    clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.clearCard(), CARD_VALID_MS);
    void fetchOrder(card.order).then((answer) => {
      if (this.card === card) {
        if (answer.ok) this.cardOrder = answer.body.order;
        else this.result = { ok: false, code: answer.code, seq: ++this.seq };
      }
    });
  }

  private clearCard(): void {
    clearTimeout(this.expiry);
    this.card = undefined;
    this.cardOrder = undefined;
    this.pairing.clear();
  }
}
