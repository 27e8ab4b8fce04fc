/**
 * Free text written about a customer (a survey comment, a call note) on its way to head office:
 * the customer's own name and anything that looks like a phone number or an e-mail address is
 * replaced by `***`. Head office gets what was said, not who said it; the store keeps the text as
 * written for its own staff.
 */
export function scrubFreeText(text: string, names: readonly string[]): string {
  let out = text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '***')
    // 7 or more digits, possibly split by spaces, dashes, dots or brackets: a phone number.
    .replace(/\+?\d[\d\s().-]{5,}\d/g, (m) => (m.replace(/\D/g, '').length >= 7 ? '***' : m));
  for (const name of names) {
    const trimmed = name.trim();
    if (trimmed.length < 2) continue;
    out = out.split(trimmed).join('***');
    // Chinese names are often written as the surname with 先生/女士/小姐: that is the name too
    // (a surname of one character, or of two as in 欧阳, when the name has three or more).
    const chars = [...trimmed];
    if (!/^\p{Script=Han}+$/u.test(trimmed)) {
      // A name in Latin letters: each of its words on its own (Mr Wang).
      const words = trimmed.split(/\s+/).map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')).filter((w) => w.length >= 2);
      for (const word of words) out = out.replace(new RegExp(`\\b${word}\\b`, 'giu'), '***');
      continue;
    }
    const surnames = chars.length >= 3 ? [chars.slice(0, 2).join(''), chars[0]] : [chars[0]];
    for (const surname of surnames) out = out.replace(new RegExp(`${surname}(先生|女士|小姐|太太)`, 'gu'), '***');
  }
  return out;
}
