export const en = {
  'link.connecting': 'Connecting…',
  'link.connected': 'Connected',
  'link.reconnecting': 'Reconnecting…',
  'link.offline': 'Offline',
  'link.offlineSince': 'Offline since {time}',
  'gateway.down': 'Store system offline — information may be out of date',
  'language.label': 'Language',
  'kiosk.welcome': 'Welcome',
  'kiosk.prompt': 'Tap your member card, or choose a service to take a ticket',
  'kiosk.comingSoon': 'Ticket services are being set up.',
  'desk.title': 'Reception desk',
  'desk.devices': 'Devices',
  'desk.noDevices': 'No device has reported yet.',
  'desk.device.online': 'online',
  'desk.device.offline': 'offline',
  'desk.device.lastSeen': 'last report {time}',
  'board.nowServing': 'Now serving',
  'board.noCalls': 'No tickets called yet',
  'board.demo': 'Demo store',
} as const;

export type MessageKey = keyof typeof en;
