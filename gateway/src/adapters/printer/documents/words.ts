import type { LocalizedText } from '../../../protocol/index.js';

/** Words the workshop's documents share. */
export const DOC_WORDS = {
  no: { 'zh-Hans': '受理号码', 'zh-Hant': '受理號碼', en: 'No.' },
  plate: { 'zh-Hans': '车牌', 'zh-Hant': '車牌', en: 'Plate' },
  model: { 'zh-Hans': '车型', 'zh-Hant': '車型', en: 'Model' },
  advisor: { 'zh-Hans': '服务顾问', 'zh-Hant': '服務顧問', en: 'Advisor' },
  customerSignature: { 'zh-Hans': '客户签字', 'zh-Hant': '客戶簽字', en: 'Customer signature' },
} as const satisfies Record<string, LocalizedText>;
