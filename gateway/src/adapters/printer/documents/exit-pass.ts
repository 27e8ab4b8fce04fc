import type { DocumentLayout } from '../layout/document-layout.js';
import { DOC_WORDS as W } from './words.js';
import { documentHeading } from './heading.js';

/**
 * 出厂放行条 (出门证): printed when the order is released; the gate reads the plate and scans the
 * pass code (a QR code, the code printed under it for typing).
 */
export const EXIT_PASS: DocumentLayout = {
  blocks: [
    ...documentHeading({ 'zh-Hans': '出厂放行条', 'zh-Hant': '出廠放行條', en: 'Exit pass' }, 'plate'),
    {
      kind: 'fields',
      rows: [
        { label: W.no, value: { field: 'no' } },
        { label: W.model, value: { field: 'model' } },
        { label: { 'zh-Hans': '放行时间', 'zh-Hant': '放行時間', en: 'Released' }, value: { field: 'releasedAt', format: 'datetime' } },
        { label: W.advisor, value: { field: 'advisor' } },
      ],
    },
    { kind: 'rule' },
    { kind: 'qr', value: { field: 'exitPass' }, caption: { field: 'exitPass' } },
    { kind: 'text', text: { 'zh-Hans': '请在出口出示此条', 'zh-Hant': '請在出口出示此條', en: 'Show this pass at the exit gate' }, align: 'center' },
  ],
};
