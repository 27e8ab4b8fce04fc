import { defineMessages } from './define.js';

export const kiosk = defineMessages({
  en: {
    'kiosk.welcome': 'Welcome',
    'kiosk.prompt': 'Tap your member card, or choose a service to take a ticket',
    'kiosk.comingSoon': 'Ticket services are being set up.',
  },
  'zh-Hans': {
    'kiosk.welcome': '欢迎光临',
    'kiosk.prompt': '请刷会员卡，或选择服务取号',
    'kiosk.comingSoon': '取号服务正在准备中。',
  },
  'zh-Hant': {
    'kiosk.welcome': '歡迎光臨',
    'kiosk.prompt': '請刷會員卡，或選擇服務取號',
    'kiosk.comingSoon': '取號服務正在準備中。',
  },
});
