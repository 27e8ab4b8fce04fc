// The MQTT topic tree, defined once. Every topic lives under one store:
//   forecourt/v1/{storeId}/...
// The version segment lets a store run old and new firmware side by side during an upgrade.

export const TOPIC_ROOT = 'forecourt/v1';

/** Store and device ids: lower-case letters, digits and dashes, so they are safe topic levels. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

export const topics = {
  /** Everything of one store, for subscriptions. */
  storeAll: (store: string) => `${TOPIC_ROOT}/${store}/#`,
  gatewayStatus: (store: string) => `${TOPIC_ROOT}/${store}/gateway/status`,
  storeInfo: (store: string) => `${TOPIC_ROOT}/${store}/store/info`,
  deviceState: (store: string, device: string) => `${TOPIC_ROOT}/${store}/device/${device}/state`,
  deviceStateAll: (store: string) => `${TOPIC_ROOT}/${store}/device/+/state`,
  deviceHeartbeat: (store: string, device: string) =>
    `${TOPIC_ROOT}/${store}/device/${device}/heartbeat`,
  queueServices: (store: string) => `${TOPIC_ROOT}/${store}/queue/services`,
  queueService: (store: string, service: string) => `${TOPIC_ROOT}/${store}/queue/service/${service}`,
  queueServiceAll: (store: string) => `${TOPIC_ROOT}/${store}/queue/service/+`,
  queueDesks: (store: string) => `${TOPIC_ROOT}/${store}/queue/desks`,
  queueMode: (store: string) => `${TOPIC_ROOT}/${store}/queue/mode`,
  queueCalls: (store: string) => `${TOPIC_ROOT}/${store}/queue/calls`,
  queueCall: (store: string) => `${TOPIC_ROOT}/${store}/queue/call`,
  printJobs: (store: string) => `${TOPIC_ROOT}/${store}/print/jobs`,
  workshopBoard: (store: string) => `${TOPIC_ROOT}/${store}/workshop/board`,
  workshopBoardChanges: (store: string) => `${TOPIC_ROOT}/${store}/workshop/board/changes`,
  deviceScan: (store: string, device: string) => `${TOPIC_ROOT}/${store}/device/${device}/scan`,
  deviceScanAll: (store: string) => `${TOPIC_ROOT}/${store}/device/+/scan`,
  deviceScanResult: (store: string, device: string) => `${TOPIC_ROOT}/${store}/device/${device}/scan/result`,
  deviceTap: (store: string, device: string) => `${TOPIC_ROOT}/${store}/device/${device}/tap`,
  deviceTapAll: (store: string) => `${TOPIC_ROOT}/${store}/device/+/tap`,
  deviceWrite: (store: string, device: string) => `${TOPIC_ROOT}/${store}/device/${device}/write`,
  deviceWriteResult: (store: string, device: string) => `${TOPIC_ROOT}/${store}/device/${device}/write/result`,
  deviceWriteResultAll: (store: string) => `${TOPIC_ROOT}/${store}/device/+/write/result`,
  printAgentJob: (store: string, printer: string) => `${TOPIC_ROOT}/${store}/device/${printer}/print/job`,
  printAgentReport: (store: string, printer: string) => `${TOPIC_ROOT}/${store}/device/${printer}/print/report`,
  dispenserButton: (store: string, dispenser: string) => `${TOPIC_ROOT}/${store}/device/${dispenser}/button`,
  dispenserTicket: (store: string, dispenser: string) => `${TOPIC_ROOT}/${store}/device/${dispenser}/ticket`,
  dispenserCounts: (store: string, dispenser: string) => `${TOPIC_ROOT}/${store}/device/${dispenser}/counts`,
  kioskSession: (store: string, kiosk: string) => `${TOPIC_ROOT}/${store}/kiosk/${kiosk}/session`,
  deskSession: (store: string, desk: string) => `${TOPIC_ROOT}/${store}/desk/${desk}/session`,
} as const;

/** Whether an MQTT topic filter (with `+` and `#`) matches a topic. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Splits a topic of the tree into its store and the rest, or returns undefined. */
export function parseTopic(topic: string): { store: string; rest: string[] } | undefined {
  const levels = topic.split('/');
  if (levels.length < 4 || `${levels[0]}/${levels[1]}` !== TOPIC_ROOT) return undefined;
  const store = levels[2] ?? '';
  if (!ID_PATTERN.test(store)) return undefined;
  return { store, rest: levels.slice(3) };
}
