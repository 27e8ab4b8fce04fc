import type { OrderDocumentKind } from '../../../protocol/index.js';
import type { DocumentLayout } from '../layout/document-layout.js';
import { EXIT_PASS } from './exit-pass.js';
import { SETTLEMENT } from './settlement.js';
import { WORK_ORDER } from './work-order.js';

export type { OrderDocument } from './order-document.js';

/** The workshop's documents by their print job kind. */
export const ORDER_DOCUMENTS: Readonly<Record<OrderDocumentKind, DocumentLayout>> = { 'work-order': WORK_ORDER, settlement: SETTLEMENT, 'exit-pass': EXIT_PASS };
