import { parseScanCode, scanCommand } from '../../protocol/workshop-scan.js';
import type { WorkshopCommand } from '../../protocol/workshop.js';

// One scanner's memory of the card scanned last, shared by the gateway (serial scanners) and the
// bay page (keyboard-wedge scanners); the barcodes themselves are in protocol/workshop-scan.ts.

/** How long a scanned card waits for its action. */
export const CARD_VALID_MS = 60_000;

export type PairingStep =
  | { kind: 'card'; card: { order: string; job?: number } }
  | { kind: 'command'; command: WorkshopCommand }
  | { kind: 'error'; code: 'unknown-barcode' | 'card-first' | 'needs-job-card'; card?: { order: string; job?: number } };

/**
 * One scanner's state: the card last scanned. A new card replaces it; an action uses it up (a
 * stray action scanned later must not act on the same card again).
 */
export class ScanPairing {
  private card: { order: string; job?: number; at: number } | undefined;

  constructor(private readonly validMs = CARD_VALID_MS) {}

  read(raw: string, now: Date): PairingStep {
    const scanned = parseScanCode(raw);
    if (!scanned) return { kind: 'error', code: 'unknown-barcode' };
    if (scanned.kind === 'card') {
      this.card = { order: scanned.order, ...(scanned.job !== undefined ? { job: scanned.job } : {}), at: now.getTime() };
      return { kind: 'card', card: { order: scanned.order, ...(scanned.job !== undefined ? { job: scanned.job } : {}) } };
    }
    const card = this.card;
    if (!card || now.getTime() - card.at > this.validMs) {
      this.card = undefined;
      return { kind: 'error', code: 'card-first' };
    }
    const { order, job } = card;
    const cardOnly = { order, ...(job !== undefined ? { job } : {}) };
    const command = scanCommand(cardOnly, scanned.action);
    if (command === 'needs-job-card') return { kind: 'error', code: 'needs-job-card', card: cardOnly };
    this.card = undefined;
    return { kind: 'command', command };
  }

  clear(): void {
    this.card = undefined;
  }
}
