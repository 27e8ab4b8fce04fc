import type { DocumentLayout } from '../layout/document-layout.js';
import { DOC_WORDS as W } from './words.js';
import { documentHeading } from './heading.js';

/** 维修结算单: the bill as the gateway holds it, printed when the order is in settlement. */
export const SETTLEMENT: DocumentLayout = {
  blocks: [
    ...documentHeading({ 'zh-Hans': '维修结算单', 'zh-Hant': '維修結算單', en: 'Settlement statement' }, 'no'),
    {
      kind: 'fields',
      rows: [
        { label: W.plate, value: { field: 'plate' } },
        { label: W.model, value: { field: 'model' } },
        { label: W.advisor, value: { field: 'advisor' } },
        { label: { 'zh-Hans': '结算时间', 'zh-Hant': '結算時間', en: 'Settled' }, value: { field: 'settlement.at', format: 'datetime' } },
      ],
    },
    { kind: 'rule' },
    {
      kind: 'table',
      rows: 'settlement.lines',
      columns: [
        { label: { 'zh-Hans': '项目', 'zh-Hant': '項目', en: 'Item' }, field: 'title', fill: true },
        { label: { 'zh-Hans': '数量', 'zh-Hant': '數量', en: 'Qty' }, field: 'qty', format: 'qty', align: 'right' },
        { label: { 'zh-Hans': '单价', 'zh-Hant': '單價', en: 'Price' }, field: 'unitPrice', format: 'money', align: 'right', wideOnly: true },
        { label: { 'zh-Hans': '金额', 'zh-Hant': '金額', en: 'Amount' }, field: 'amount', format: 'money', align: 'right' },
      ],
      empty: { 'zh-Hans': '无', 'zh-Hant': '無', en: 'None' },
    },
    { kind: 'rule' },
    {
      kind: 'fields',
      rows: [
        { label: { 'zh-Hans': '工时费', 'zh-Hant': '工時費', en: 'Labour' }, value: { field: 'settlement.labour', format: 'money' } },
        { label: { 'zh-Hans': '材料费', 'zh-Hant': '材料費', en: 'Parts' }, value: { field: 'settlement.parts', format: 'money' } },
        { label: { 'zh-Hans': '其他费用', 'zh-Hant': '其他費用', en: 'Other' }, value: { field: 'settlement.other', format: 'money' } },
        { label: { 'zh-Hans': '小计', 'zh-Hant': '小計', en: 'Subtotal' }, value: { field: 'settlement.subtotal', format: 'money' } },
        { label: { 'zh-Hans': '优惠', 'zh-Hant': '優惠', en: 'Discount' }, value: { field: 'settlement.discount', format: 'money' } },
        { label: { 'zh-Hans': '应付金额', 'zh-Hant': '應付金額', en: 'Total due' }, value: { field: 'settlement.total', format: 'yuan' }, bold: true },
      ],
    },
    { kind: 'rule' },
    { kind: 'signature', label: W.customerSignature },
    { kind: 'feed', lines: 1 },
    { kind: 'text', text: { 'zh-Hans': '感谢您的惠顾', 'zh-Hant': '感謝您的惠顧', en: 'Thank you for your visit' }, align: 'center' },
  ],
};
