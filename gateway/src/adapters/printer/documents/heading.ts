import type { LocalizedText } from '../../../protocol/index.js';
import type { DocumentLayout } from '../layout/document-layout.js';
import { WORDS } from '../layout-text.js';

/** The top every workshop document shares: store, title, the reprint mark, one field large, a rule. */
export function documentHeading(title: LocalizedText, largeField: string): DocumentLayout['blocks'] {
  return [
    { kind: 'text', text: { field: 'store' }, align: 'center', bold: true },
    { kind: 'title', text: title },
    { kind: 'text', text: WORDS.reprint, align: 'center', bold: true, when: 'reprint' },
    { kind: 'text', text: { field: largeField }, align: 'center', size: 2, bold: true },
    { kind: 'rule' },
  ];
}
