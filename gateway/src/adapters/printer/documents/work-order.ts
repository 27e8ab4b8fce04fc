import type { DocumentLayout } from '../layout/document-layout.js';
import { DOC_WORDS as W } from './words.js';
import { documentHeading } from './heading.js';

/**
 * 任务委托书: printed when the advisor opens the reception; the customer signs the store's copy
 * and keeps the other, with the QR code of the repair's status page.
 */
export const WORK_ORDER: DocumentLayout = {
  copies: [
    { 'zh-Hans': '客户联', 'zh-Hant': '客戶聯', en: 'Customer copy' },
    { 'zh-Hans': '存根联', 'zh-Hant': '存根聯', en: 'Store copy' },
  ],
  blocks: [
    ...documentHeading({ 'zh-Hans': '任务委托书', 'zh-Hant': '任務委託書', en: 'Work order' }, 'no'),
    {
      kind: 'fields',
      rows: [
        { label: W.plate, value: { field: 'plate' } },
        { label: W.model, value: { field: 'model' } },
        { label: { 'zh-Hans': '进厂里程', 'zh-Hant': '進廠里程', en: 'Mileage in' }, value: { field: 'mileageKm', format: 'km' } },
        { label: { 'zh-Hans': '接车时间', 'zh-Hant': '接車時間', en: 'Received' }, value: { field: 'receivedAt', format: 'datetime' } },
        { label: { 'zh-Hans': '预计交车', 'zh-Hant': '預計交車', en: 'Promised' }, value: { field: 'promisedAt', format: 'datetime' } },
        { label: W.advisor, value: { field: 'advisor' } },
      ],
    },
    { kind: 'rule' },
    {
      kind: 'table',
      rows: 'jobs',
      columns: [
        { label: { 'zh-Hans': '#', 'zh-Hant': '#', en: '#' }, field: 'no', wideOnly: true },
        { label: { 'zh-Hans': '维修项目', 'zh-Hant': '維修項目', en: 'Job' }, field: 'title', fill: true },
        { label: { 'zh-Hans': '工时费', 'zh-Hant': '工時費', en: 'Labour' }, field: 'labourEstimate', format: 'money', align: 'right' },
        { label: { 'zh-Hans': '材料费', 'zh-Hant': '材料費', en: 'Parts' }, field: 'partsEstimate', format: 'money', align: 'right' },
      ],
      empty: { 'zh-Hans': '维修项目待定', 'zh-Hant': '維修項目待定', en: 'Jobs to be agreed' },
    },
    { kind: 'rule' },
    { kind: 'fields', rows: [{ label: { 'zh-Hans': '预估合计', 'zh-Hant': '預估合計', en: 'Estimate' }, value: { field: 'estimate', format: 'yuan' }, bold: true }] },
    {
      kind: 'text',
      text: {
        'zh-Hans': '本人确认以上车辆及维修项目。维修中发现的新增项目，须经本人同意后方可施工；估价仅供参考，以结算单为准。',
        'zh-Hant': '本人確認以上車輛及維修項目。維修中發現的新增項目，須經本人同意後方可施工；估價僅供參考，以結算單為準。',
        en: 'I confirm the vehicle and the work above. Work found during the repair is done only with my consent; estimates are a guide, the settlement statement is final.',
      },
    },
    { kind: 'signature', label: W.customerSignature },
    { kind: 'feed', lines: 1 },
    { kind: 'qr', value: { field: 'statusUrl' }, caption: { 'zh-Hans': '扫码查看维修进度', 'zh-Hant': '掃碼查看維修進度', en: 'Scan to follow the repair' } },
  ],
};
