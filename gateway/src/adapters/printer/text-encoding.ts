import iconv from 'iconv-lite';
import type { PrinterProfile } from '../../config/devices.js';

export type PrinterEncoding = PrinterProfile['encoding'];

/** iconv-lite's name for each printer encoding; Big5 printers take the HKSCS superset. */
const ICONV_NAME: Record<PrinterEncoding, string> = { gb18030: 'gb18030', big5: 'big5hkscs', ascii: 'ascii' };

/**
 * Half-width ¥ is not in GBK or Big5 (prints "?"); the full-width ￥ is. Printers in ASCII mode
 * get "CNY " instead, so an amount never prints as a question mark, and a hyphen for the en dash
 * of a wait range ("about 10-15 min").
 */
export function normalizeForPrinter(text: string, encoding: PrinterEncoding): string {
  if (encoding === 'ascii') return text.replace(/[¥￥]/g, 'CNY ').replace(/–/g, '-');
  const yen = text.replace(/¥/g, '￥');
  return encoding === 'big5' ? yen.replace(SIMPLIFIED_PROVINCES, (ch) => TRADITIONAL_PROVINCE[ch] ?? ch) : yen;
}

/**
 * The simplified province characters of mainland plates (粤B·D5678) are not in Big5: a Big5
 * printer gets the traditional form of the same character (粵), so a plate never prints as "?".
 */
const TRADITIONAL_PROVINCE: Record<string, string> = {
  粤: '粵', 沪: '滬', 晋: '晉', 辽: '遼', 苏: '蘇', 闽: '閩', 赣: '贛', 鲁: '魯', 琼: '瓊', 贵: '貴', 云: '雲', 陕: '陝', 宁: '寧', 领: '領', 学: '學',
};
const SIMPLIFIED_PROVINCES = new RegExp(`[${Object.keys(TRADITIONAL_PROVINCE).join('')}]`, 'gu');

export function encodeText(text: string, encoding: PrinterEncoding): Buffer {
  return iconv.encode(normalizeForPrinter(text, encoding), ICONV_NAME[encoding]);
}

export function decodeText(bytes: Uint8Array, encoding: PrinterEncoding): string {
  return iconv.decode(Buffer.from(bytes), ICONV_NAME[encoding]);
}

/** True when the text has characters outside ASCII (needs the printer's double-byte mode). */
export function needsDoubleByte(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text);
}

/** Columns a text takes on the paper: East Asian wide and full-width characters take two. */
export function columns(text: string): number {
  let n = 0;
  for (const ch of text) n += (ch.codePointAt(0) ?? 0) > 0x7f ? 2 : 1;
  return n;
}
