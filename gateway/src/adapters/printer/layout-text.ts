import type { Language, LocalizedText } from '../../protocol/index.js';
import type { PrinterEncoding } from './text-encoding.js';

/**
 * Which languages a printout carries: the Chinese that the printer's double-byte set can print
 * (GB18030 → simplified, Big5 → traditional), followed by English; ASCII printers English only.
 */
export function printLanguages(encoding: PrinterEncoding): Language[] {
  if (encoding === 'gb18030') return ['zh-Hans', 'en'];
  if (encoding === 'big5') return ['zh-Hant', 'en'];
  return ['en'];
}

/** Fixed words of the printouts, in every language. */
export const WORDS = {
  yourNumber: { 'zh-Hans': '您的号码', 'zh-Hant': '您的號碼', en: 'Your number' },
  issued: { 'zh-Hans': '取号时间', 'zh-Hant': '取號時間', en: 'Taken at' },
  ahead: { 'zh-Hans': '前面还有 {n} 人，{wait}', 'zh-Hant': '前面還有 {n} 人，{wait}', en: '{n} ahead of you, {wait}' },
  noWait: { 'zh-Hans': '无需等候', 'zh-Hant': '無需等候', en: 'No wait' },
  scan: { 'zh-Hans': '扫码查看排队进度', 'zh-Hant': '掃碼查看排隊進度', en: 'Scan to follow the queue' },
  footer: { 'zh-Hans': '请留意叫号，过号请至服务台', 'zh-Hant': '請留意叫號，過號請洽服務台', en: 'Please listen for your number' },
  receptionSlip: { 'zh-Hans': '接车单', 'zh-Hant': '接車單', en: 'Reception slip' },
  exitPass: { 'zh-Hans': '出厂放行条', 'zh-Hant': '出廠放行條', en: 'Exit pass' },
  signature: { 'zh-Hans': '签字', 'zh-Hant': '簽字', en: 'Signature' },
  testPrint: { 'zh-Hans': '打印测试', 'zh-Hant': '列印測試', en: 'Test print' },
  reprint: { 'zh-Hans': '重印', 'zh-Hant': '重印', en: 'REPRINT' },
} as const satisfies Record<string, LocalizedText>;

/** Fills `{name}` placeholders. */
export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}
