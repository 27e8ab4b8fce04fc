import { defineMessages } from './define.js';

export const desk = defineMessages({
  en: {
    'desk.title': 'Reception desk',
    'desk.devices': 'Devices',
    'desk.noDevices': 'No device has reported yet.',
    'desk.device.online': 'online',
    'desk.device.offline': 'offline',
    'desk.device.lastSeen': 'last report {time}',
  },
  'zh-Hans': {
    'desk.title': '服务台',
    'desk.devices': '设备',
    'desk.noDevices': '尚无设备上报状态。',
    'desk.device.online': '在线',
    'desk.device.offline': '离线',
    'desk.device.lastSeen': '最后上报 {time}',
  },
  'zh-Hant': {
    'desk.title': '服務台',
    'desk.devices': '設備',
    'desk.noDevices': '尚無設備回報狀態。',
    'desk.device.online': '在線',
    'desk.device.offline': '離線',
    'desk.device.lastSeen': '最後回報 {time}',
  },
});
