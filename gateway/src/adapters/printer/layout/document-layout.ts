import type { LocalizedText } from '../../../protocol/index.js';

// A printed document described as data: blocks from top to bottom, each naming fixed words (in
// every language) or fields of the document's data by path. One renderer (render.ts) prints any
// such description on 58 or 80 mm paper in the printer's character set, so a new document is a
// new description, not new printing code.

/**
 * How a value prints. money: fen as yuan (`1,280.00`); yuan: the same with the currency sign
 * (`￥1,280.00`); datetime: an ISO time in the store's zone (`2025-03-01 10:32`); km: a distance
 * (`45,210 km`); qty: up to two decimals (`1.5`); text: as it is.
 */
export type Format = 'text' | 'money' | 'yuan' | 'datetime' | 'km' | 'qty';

/**
 * A value of the data by its dotted path (`order.no`). A path the data lacks is a mistake in the
 * layout and fails the print; a value that is null is not known, and its row is left out.
 */
export interface FieldRef {
  field: string;
  format?: Format;
}

/** Fixed words, or a field (a localized field prints in every print language, like fixed words). */
export type TextSource = LocalizedText | FieldRef;

export type Align = 'left' | 'center' | 'right';

/** A label on the left, its value on the right (on the next lines when both do not fit). */
export interface FieldRow {
  label: LocalizedText;
  value: FieldRef;
  bold?: boolean;
}

export interface TableColumn {
  label: LocalizedText;
  /** Path within one row of the table. */
  field: string;
  format?: Format;
  /** The column that takes the rest of the line and wraps; the others are as wide as their widest value. */
  fill?: boolean;
  align?: 'left' | 'right';
  /** Left out on 58 mm paper, which has no room for it. */
  wideOnly?: boolean;
}

export type LayoutBlock =
  /** The document's name: the first print language large, the others under it. */
  | { kind: 'title'; text: LocalizedText }
  | { kind: 'text'; text: TextSource; align?: Align; size?: 1 | 2 | 3; bold?: boolean }
  | { kind: 'fields'; rows: FieldRow[] }
  /** One line (or more, wrapped) per element of the array at `rows`; a header line per language. */
  | { kind: 'table'; rows: string; columns: TableColumn[]; empty: LocalizedText }
  /** Room to sign: the label, then a line to the paper's edge. */
  | { kind: 'signature'; label: LocalizedText }
  | { kind: 'qr'; value: FieldRef; caption?: TextSource }
  | { kind: 'rule' }
  | { kind: 'feed'; lines: number };

/** A block printed only when the field at `when` is true (e.g. the reprint mark). */
export type ConditionalBlock = LayoutBlock & { when?: string };

export interface DocumentLayout {
  blocks: ConditionalBlock[];
  /**
   * The copies printed one after the other, each cut off and named under the title (客户联 for
   * the customer, 存根联 for the store). One unnamed copy when absent.
   */
  copies?: LocalizedText[];
}
