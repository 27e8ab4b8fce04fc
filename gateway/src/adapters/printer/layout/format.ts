import type { LocalizedText, Language } from '../../../protocol/index.js';
import type { Format } from './document-layout.js';

/** Whether a value of the data is a text in every language (a store name, a kind of line). */
export function isLocalized(value: unknown): value is LocalizedText {
  return typeof value === 'object' && value !== null && 'zh-Hans' in value && 'zh-Hant' in value && 'en' in value;
}

/** A value as it prints in `format`; a localized value in `language`. Null prints as nothing. */
export function formatValue(value: unknown, format: Format, language: Language, timeZone: string): string {
  if (value === null || value === undefined) return '';
  if (isLocalized(value)) return value[language];
  switch (format) {
    case 'money':
      return yuan(Number(value));
    case 'yuan':
      return `￥${yuan(Number(value))}`;
    case 'km':
      return `${grouped(Math.round(Number(value)))} km`;
    case 'qty':
      return String(Math.round(Number(value) * 100) / 100);
    case 'datetime':
      return dateTime(new Date(String(value)), timeZone);
    case 'text':
      return String(value);
  }
}

/** Fen as yuan with two decimals and thousands separators: 128000 → 1,280.00. */
function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  return `${sign}${grouped(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, '0')}`;
}

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "2025-03-01 10:32" in the store's zone, the same on every printer whatever its language. */
export function dateTime(date: Date, timeZone: string): string {
  // sv-SE formats as YYYY-MM-DD HH:mm.
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(date);
}
