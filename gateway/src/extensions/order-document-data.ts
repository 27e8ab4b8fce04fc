import type { OrderDocument } from '../adapters/printer/documents/index.js';
import { formatPlate, type RepairOrder } from '../domain/workshop/index.js';
import type { LocalizedText } from '../protocol/index.js';

/** What the workshop's documents print of an order: chosen fields, zero sums left out. */
export function orderDocument(order: RepairOrder, store: LocalizedText, baseUrl: string, reprint: boolean): OrderDocument {
  const estimates = order.jobs.flatMap((j) => [j.labourEstimate, j.partsEstimate]).filter((v) => v !== null);
  const bill = order.settlement;
  const orNull = (fen: number) => (fen === 0 ? null : fen);
  return {
    store,
    no: order.no,
    plate: formatPlate(order.plate),
    model: order.model,
    mileageKm: order.mileageKm,
    advisor: order.advisor,
    // An appointment checked in was received then, not when it was booked.
    receivedAt: order.history.findLast((h) => h.stage === 'reception')?.at ?? order.createdAt,
    promisedAt: order.promisedAt,
    releasedAt: order.releasedAt,
    statusUrl: `${baseUrl}/status/?t=${order.token}`,
    exitPass: order.exitPass,
    jobs: order.jobs.map((j) => ({ no: j.no, title: j.title, labourEstimate: j.labourEstimate, partsEstimate: j.partsEstimate })),
    estimate: estimates.length > 0 ? estimates.reduce((s, v) => s + v, 0) : null,
    settlement: bill && {
      at: bill.at,
      lines: bill.lines.map((l) => ({ title: l.title, qty: l.qty, unitPrice: l.unitPrice, amount: l.amount })),
      labour: orNull(bill.labour),
      parts: orNull(bill.parts),
      other: orNull(bill.other),
      subtotal: bill.discount > 0 ? bill.subtotal : null,
      discount: orNull(bill.discount),
      total: bill.total,
    },
    reprint,
  };
}
