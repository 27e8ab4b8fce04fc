import { defineMessages } from './define.js';

export const common = defineMessages({
  en: {
    'link.connecting': 'Connecting…',
    'link.connected': 'Connected',
    'link.reconnecting': 'Reconnecting…',
    'link.offline': 'Offline',
    'link.offlineSince': 'Offline since {time}',
    'link.idle': 'Not connected',
    'link.refused': 'Access refused',
    'gateway.down': 'Store system offline — information may be out of date',
    'language.label': 'Language',
  },
  'zh-Hans': {
    'link.connecting': '连接中…',
    'link.connected': '已连接',
    'link.reconnecting': '正在重新连接…',
    'link.offline': '离线',
    'link.offlineSince': '自 {time} 起离线',
    'link.idle': '未连接',
    'link.refused': '访问被拒绝',
    'gateway.down': '门店系统离线，信息可能不是最新',
    'language.label': '语言',
  },
  'zh-Hant': {
    'link.connecting': '連線中…',
    'link.connected': '已連線',
    'link.reconnecting': '正在重新連線…',
    'link.offline': '離線',
    'link.offlineSince': '自 {time} 起離線',
    'link.idle': '未連線',
    'link.refused': '存取遭拒',
    'gateway.down': '門店系統離線，資訊可能不是最新',
    'language.label': '語言',
  },
});
