import type { Language, LocalizedText } from '../../../protocol/index.js';
import type { PrinterProfile } from '../../../config/devices.js';
import { EscPosBuilder } from '../builder.js';
import { printLanguages } from '../layout-text.js';
import { columns } from '../text-encoding.js';
import type { ConditionalBlock, DocumentLayout, FieldRef, LayoutBlock, TableColumn, TextSource } from './document-layout.js';
import { formatValue, isLocalized } from './format.js';
import { pad, wrap } from './wrap.js';

/** A table's wrapping column keeps at least this many columns; wider cells wrap instead. */
const MIN_FILL = 8;

interface Context {
  p: EscPosBuilder;
  data: Record<string, unknown>;
  langs: Language[];
  /** Characters per line at size 1. */
  width: number;
  wide: boolean;
  timeZone: string;
  copy: LocalizedText | undefined;
}

/**
 * Prints a document description with its data for one printer profile: every line wrapped to the
 * paper's width, fixed words in the print languages of the printer's character set (Chinese, then
 * English), one page per copy, each cut.
 */
export function renderDocument(layout: DocumentLayout, data: object, profile: PrinterProfile, timeZone: string): Buffer {
  const p = new EscPosBuilder(profile);
  for (const copy of layout.copies ?? [undefined]) {
    p.init();
    const ctx: Context = { p, data: data as Record<string, unknown>, langs: printLanguages(profile.encoding), width: p.columns, wide: profile.width === 80, timeZone, copy };
    for (const block of layout.blocks) if (shown(block, data)) renderBlock(ctx, block);
    p.feed(3).cut();
  }
  return p.bytes();
}

function shown(block: ConditionalBlock, data: object): boolean {
  return block.when === undefined || resolve(data as Record<string, unknown>, block.when) === true;
}

function renderBlock(ctx: Context, block: LayoutBlock): void {
  const { p, langs, width } = ctx;
  switch (block.kind) {
    case 'title': {
      p.align('center').bold(true).size(2);
      for (const line of wrap(block.text[langs[0]!], Math.floor(width / 2))) p.line(line);
      p.size(1);
      for (const lang of langs.slice(1)) for (const line of wrap(block.text[lang], width)) p.line(line);
      p.bold(false);
      if (ctx.copy) for (const line of wrap(bilingual(ctx.copy, langs, ' / '), width)) p.line(line);
      p.align('left');
      return;
    }
    case 'text': {
      const size = block.size ?? 1;
      const lines = textLines(ctx, block.text).flatMap((t) => wrap(t, Math.floor(width / size)));
      if (lines.length === 0) return;
      p.align(block.align ?? 'left').bold(block.bold ?? false).size(size);
      for (const line of lines) p.line(line);
      p.size(1).bold(false).align('left');
      return;
    }
    case 'fields':
      for (const row of block.rows) {
        const value = valueText(ctx, row.value);
        if (!value) continue;
        const label = bilingual(row.label, langs, ' ');
        p.bold(row.bold ?? false);
        if (columns(label) + 1 + columns(value) <= width) p.line(label + pad(value, width - columns(label), 'right'));
        else for (const line of [...wrap(label, width), ...wrap(value, width).map((v) => pad(v, width, 'right'))]) p.line(line);
        p.bold(false);
      }
      return;
    case 'table':
      return table(ctx, block.rows, block.columns, block.empty);
    case 'signature': {
      const label = `${bilingual(block.label, langs, ' / ')}: `;
      p.feed(1);
      if (columns(label) + MIN_FILL <= width) p.line(label + '_'.repeat(width - columns(label)));
      else for (const line of [...wrap(label, width), '_'.repeat(width)]) p.line(line);
      return;
    }
    case 'qr': {
      const payload = valueText(ctx, block.value);
      if (!payload) return;
      p.align('center').qr(payload, ctx.wide ? 6 : 4);
      for (const line of block.caption ? textLines(ctx, block.caption).flatMap((t) => wrap(t, width)) : []) p.line(line);
      p.align('left');
      return;
    }
    case 'rule':
      p.rule();
      return;
    case 'feed':
      p.feed(block.lines);
      return;
  }
}

/** A header line per language, a rule, then each row; cells wrap within their column. */
function table(ctx: Context, path: string, all: TableColumn[], empty: LocalizedText): void {
  const { p, langs, width } = ctx;
  const rows = resolve(ctx.data, path);
  if (!Array.isArray(rows)) throw new Error(`layout table ${path} is not a list in the data`);
  const cols = all.filter((c) => ctx.wide || !c.wideOnly);
  const cells = rows.map((row: unknown) => cols.map((c) => formatValue(resolve(row as Record<string, unknown>, c.field), c.format ?? 'text', langs[0]!, ctx.timeZone)));
  // A header stays on one line where it can: headers are short, and 材料费 broken after 材料 reads badly.
  const widths = cols.map((c, i) => (c.fill ? 0 : Math.max(1, ...langs.map((l) => columns(c.label[l])), ...cells.map((r) => columns(r[i]!)))));
  const fill = cols.findIndex((c) => c.fill);
  if (fill < 0) throw new Error(`layout table ${path} has no fill column`);
  const rest = () => width - widths.reduce((s, w) => s + w, 0) - (cols.length - 1);
  // Too wide for the paper (a huge amount on 58 mm): the widest other column gives way and wraps.
  while (rest() < MIN_FILL) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 2) break;
    widths[widest]! -= 1;
  }
  widths[fill] = rest();
  const printRow = (texts: string[]) => {
    const wrapped = texts.map((t, i) => wrap(t, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let line = 0; line < height; line++) {
      p.line(wrapped.map((w, i) => pad(w[line] ?? '', widths[i]!, cols[i]!.align ?? 'left')).join(' ').trimEnd());
    }
  };
  for (const lang of langs) printRow(cols.map((c) => c.label[lang]));
  p.rule();
  if (rows.length === 0) for (const line of textLines(ctx, empty).flatMap((t) => wrap(t, width))) p.line(line);
  for (const row of cells) printRow(row);
}

/** Fixed words in each print language, or a field: a localized one in each, another as one text. */
function textLines(ctx: Context, source: TextSource): string[] {
  if (isLocalized(source)) return ctx.langs.map((l) => source[l]);
  const value = resolve(ctx.data, source.field);
  if (isLocalized(value)) return ctx.langs.map((l) => value[l]);
  const text = formatValue(value, source.format ?? 'text', ctx.langs[0]!, ctx.timeZone);
  return text ? [text] : [];
}

function valueText(ctx: Context, ref: FieldRef): string {
  return formatValue(resolve(ctx.data, ref.field), ref.format ?? 'text', ctx.langs[0]!, ctx.timeZone);
}

function bilingual(text: LocalizedText, langs: Language[], separator: string): string {
  return langs.map((l) => text[l]).join(separator);
}

/** The value at a dotted path; a path the data does not have is a mistake in the layout. */
function resolve(data: Record<string, unknown>, path: string): unknown {
  let value: unknown = data;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !(key in value)) throw new Error(`layout field ${path} is not in the data`);
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
