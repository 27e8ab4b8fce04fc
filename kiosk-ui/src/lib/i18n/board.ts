import { defineMessages } from './define.js';

export const board = defineMessages({
  en: {
    'board.nowServing': 'Now serving',
    'board.noCalls': 'No tickets called yet',
    'board.demo': 'Demo store',
  },
  'zh-Hans': {
    'board.nowServing': '正在办理',
    'board.noCalls': '暂无叫号',
    'board.demo': '示范门店',
  },
  'zh-Hant': {
    'board.nowServing': '正在辦理',
    'board.noCalls': '暫無叫號',
    'board.demo': '示範門店',
  },
});
