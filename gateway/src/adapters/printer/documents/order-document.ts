import type { LocalizedText } from '../../../protocol/index.js';

/**
 * What the workshop's documents print of a repair order, already chosen and in print units
 * (money in fen, times in ISO): the data their layouts name by path. A value that is not known is
 * null, and the layout leaves its row out.
 */
export interface OrderDocument {
  store: LocalizedText;
  no: string;
  /** As staff read it (粵B·D5678). */
  plate: string;
  model: string;
  mileageKm: number | null;
  advisor: string;
  /** When the car was checked in. */
  receivedAt: string;
  promisedAt: string | null;
  releasedAt: string | null;
  /** The order's status page, for the work order's QR code. */
  statusUrl: string;
  /** The exit pass code, once released. */
  exitPass: string | null;
  jobs: { no: number; title: string; labourEstimate: number | null; partsEstimate: number | null }[];
  /** Sum of the known estimates; null when no job has one. */
  estimate: number | null;
  settlement: {
    at: string;
    lines: { title: string; qty: number; unitPrice: number; amount: number }[];
    /** Per kind; null when nothing of the kind was charged. */
    labour: number | null;
    parts: number | null;
    other: number | null;
    /** Shown only with a discount. */
    subtotal: number | null;
    discount: number | null;
    total: number;
  } | null;
  /** Printed again from the desk: marked 重印 so it is not taken for the first. */
  reprint: boolean;
}
