import type { MessageKey } from './en.js';

export const zhHans: Record<MessageKey, string> = {
  'link.connecting': '连接中…',
  'link.connected': '已连接',
  'link.reconnecting': '正在重新连接…',
  'link.offline': '离线',
  'link.offlineSince': '自 {time} 起离线',
  'gateway.down': '门店系统离线，信息可能不是最新',
  'language.label': '语言',
  'kiosk.welcome': '欢迎光临',
  'kiosk.prompt': '请刷会员卡，或选择服务取号',
  'kiosk.comingSoon': '取号服务正在准备中。',
  'desk.title': '服务台',
  'desk.devices': '设备',
  'desk.noDevices': '尚无设备上报状态。',
  'desk.device.online': '在线',
  'desk.device.offline': '离线',
  'desk.device.lastSeen': '最后上报 {time}',
  'board.nowServing': '正在办理',
  'board.noCalls': '暂无叫号',
  'board.demo': '示范门店',
};
