import type { SettlementLineInput, SettlementLineKind } from '../../protocol/index.js';
import { WorkshopError } from './errors.js';

/** A line of the bill with its amount, in fen. */
export interface SettlementLine {
  kind: SettlementLineKind;
  title: string;
  qty: number;
  unitPrice: number;
  amount: number;
}

/** The bill of an order (維修結算單); every amount in fen, computed by the gateway. */
export interface Settlement {
  lines: SettlementLine[];
  /** Sums per kind of line: labour (工時費), parts (材料費), other charges. */
  labour: number;
  parts: number;
  other: number;
  subtotal: number;
  discount: number;
  /** What the customer pays: subtotal less discount. */
  total: number;
  /** When and by whom the lines were last set. */
  at: string;
  by: string;
}

/** qty × unit price, to the fen: a quantity has at most two decimals, so the rounding is of float noise only. */
export function lineAmount(qty: number, unitPrice: number): number {
  return Math.round(qty * unitPrice);
}

/** Computes amounts and totals; refuses a discount larger than the bill. */
export function settle(lines: readonly SettlementLineInput[], discount: number, at: string, by: string): Settlement {
  const priced = lines.map((l): SettlementLine => ({ kind: l.kind, title: l.title, qty: l.qty, unitPrice: l.unitPrice, amount: lineAmount(l.qty, l.unitPrice) }));
  const sum = (kind: SettlementLineKind) => priced.filter((l) => l.kind === kind).reduce((s, l) => s + l.amount, 0);
  const [labour, parts, other] = [sum('labour'), sum('part'), sum('other')];
  const subtotal = labour + parts + other;
  if (discount > subtotal) throw new WorkshopError('invalid-settlement', `the discount (${discount} fen) is larger than the bill (${subtotal} fen)`);
  return { lines: priced, labour, parts, other, subtotal, discount, total: subtotal - discount, at, by };
}
