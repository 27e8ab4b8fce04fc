import type { MessageKey } from './en.js';

export const zhHant: Record<MessageKey, string> = {
  'link.connecting': '連線中…',
  'link.connected': '已連線',
  'link.reconnecting': '正在重新連線…',
  'link.offline': '離線',
  'link.offlineSince': '自 {time} 起離線',
  'gateway.down': '門店系統離線，資訊可能不是最新',
  'language.label': '語言',
  'kiosk.welcome': '歡迎光臨',
  'kiosk.prompt': '請刷會員卡，或選擇服務取號',
  'kiosk.comingSoon': '取號服務正在準備中。',
  'desk.title': '服務台',
  'desk.devices': '設備',
  'desk.noDevices': '尚無設備回報狀態。',
  'desk.device.online': '在線',
  'desk.device.offline': '離線',
  'desk.device.lastSeen': '最後回報 {time}',
  'board.nowServing': '正在辦理',
  'board.noCalls': '暫無叫號',
  'board.demo': '示範門店',
};
