// Licence plates: one normal form for storage and comparison, and the one masking function for
// everything that leaves the gateway for a public screen (board, phone status page).

const SEPARATORS = /[\s·・.\-‧•]/gu;
/** A Chinese mainland plate starts with a province character and the city letter: 粵B, 京A. */
const REGION = /^(\p{Script=Han}[A-Z])(.+)$/u;

/** Half-width, upper case, without separators: '粵b·d5678 ' → '粵BD5678'. */
export function normalizePlate(input: string): string {
  return input.normalize('NFKC').toUpperCase().replace(SEPARATORS, '');
}

/** For staff screens: the region set off with a middle dot, as on the plate: 粵B·D5678. */
export function formatPlate(plate: string): string {
  const region = REGION.exec(plate);
  return region ? `${region[1]}·${region[2]}` : plate;
}

/**
 * For public screens: the region and the first two and last character of the serial stay, the
 * rest becomes '*': 粵BD5678 → 粵B·D5**8, 粤BD12345 → 粤B·D1***5, AB1234 → AB***4. Serials of
 * two or three characters keep only the first; a single character is hidden altogether.
 */
export function maskPlate(plate: string): string {
  const normalized = normalizePlate(plate);
  const region = REGION.exec(normalized);
  const serial = [...(region ? (region[2] ?? '') : normalized)];
  let masked: string;
  if (serial.length >= 4) masked = serial.slice(0, 2).join('') + '*'.repeat(serial.length - 3) + serial.at(-1);
  else if (serial.length >= 2) masked = (serial[0] ?? '') + '*'.repeat(serial.length - 1);
  else masked = '*';
  return region ? `${region[1]}·${masked}` : masked;
}
