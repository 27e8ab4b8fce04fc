import type { DocumentLayout } from '../layout/document-layout.js';
import { EXIT_PASS } from './exit-pass.js';
import { SETTLEMENT } from './settlement.js';
import { WORK_ORDER } from './work-order.js';

export type { OrderDocument } from './order-document.js';

/** The workshop's documents by their print job kind. */
export const ORDER_DOCUMENTS = { 'work-order': WORK_ORDER, settlement: SETTLEMENT, 'exit-pass': EXIT_PASS } as const satisfies Record<string, DocumentLayout>;
export type OrderDocumentKind = keyof typeof ORDER_DOCUMENTS;
export const ORDER_DOCUMENT_KINDS = Object.keys(ORDER_DOCUMENTS) as OrderDocumentKind[];
