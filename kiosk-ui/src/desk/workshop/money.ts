/** Yuan as typed at the desk ("88.33", "1,280") → fen; NaN when it is not an amount to the fen. */
export function toFen(yuan: string): number {
  const text = yuan.replace(/,/g, '').trim();
  return /^\d+(\.\d{1,2})?$/.test(text) ? Math.round(Number(text) * 100) : NaN;
}

/** Fen as yuan for an input or a label: 128000 → "1280.00". */
export function fenToYuan(fen: number): string {
  return (fen / 100).toFixed(2);
}
