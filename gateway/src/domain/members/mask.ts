// The one place that decides what of a person or a car a public screen may show.

const HAN = /\p{Script=Han}/u;

/**
 * 王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明; "John Smith" → "J. S***". Chinese names keep the
 * first and last character (how stores address customers); Latin names keep two initials.
 */
export function maskName(name: string): string {
  const trimmed = name.trim();
  const chars = [...trimmed];
  if (chars.length === 0) return '';
  if (HAN.test(chars[0]!)) {
    if (chars.length === 1) return '*';
    if (chars.length === 2) return `${chars[0]}*`;
    return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
  }
  const words = trimmed.split(/\s+/);
  const first = [...words[0]!][0]!;
  if (words.length === 1) return `${first}***`;
  return `${first}. ${[...words.at(-1)!][0]}***`;
}

/**
 * Mainland plates keep province, city letter, the first two and the last character of the serial:
 * 粵B·D5678 → 粵B·D5**8 (also without the dot, and for 6-character new-energy serials). Any other
 * plate keeps its first two and last character: ABC-1234 → AB****4.
 */
export function maskPlate(plate: string): string {
  const compact = plate.replace(/[\s·•.-]/g, '').toUpperCase();
  const chars = [...compact];
  const mainland = chars.length >= 7 && HAN.test(chars[0]!) && /[A-Z]/.test(chars[1]!);
  if (mainland) {
    const serial = chars.slice(2);
    return `${chars[0]}${chars[1]}·${serial.slice(0, 2).join('')}${'*'.repeat(serial.length - 3)}${serial.at(-1)}`;
  }
  if (chars.length <= 3) return '*'.repeat(chars.length);
  return `${chars.slice(0, 2).join('')}${'*'.repeat(chars.length - 3)}${chars.at(-1)}`;
}
