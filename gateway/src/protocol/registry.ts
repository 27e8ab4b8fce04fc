import type { AnySchema } from './schema.js';
import { DeviceHeartbeat, DeviceState, GatewayStatus, StoreInfo } from './payloads.js';
import { CallEvent, DeskList, QueueMode, QueueSnapshot, RecentCalls, ServiceList } from './queue.js';
import { ID_PATTERN, parseTopic } from './topics.js';
import { BarcodeScan, ScanResult, WorkshopBoard, WorkshopBoardChange } from './workshop.js';
import { PrintJobList } from './printing.js';
import { PrintAgentCommand, PrintAgentReport } from './print-agent.js';
import { DispenserButton, DispenserCounts, DispenserTicket } from './dispenser-agent.js';
import { CardTap, CardWrite, CardWriteResult, DeskSession, KioskSession } from './members.js';
import { STAFF_ROLES, type Audience } from './access/principal.js';
import { DEVICE_KINDS } from './payloads.js';

/**
 * Who may publish or subscribe to a topic, besides the gateway itself (which does both freely).
 * `who`: on every instance of the topic (and with `+` at its placeholder). `own`: only where the
 * placeholder is the client's own — `{device}` its device id, `{kiosk}` and `{desk}` its station
 * (an enrolled screen's, or the desk a staff member signed in at): a reader publishes its own
 * taps, a kiosk reads its own greetings. Nobody else is allowed: deny by default.
 */
export interface TopicRule {
  who: readonly Audience[];
  own?: readonly Audience[];
}

const EVERYONE: readonly Audience[] = ['public'];
const STAFF = STAFF_ROLES;
const DEVICES = DEVICE_KINDS;
const GATEWAY_ONLY: TopicRule = { who: [] };


/**
 * Every topic of the tree with its access rules and payload schema. The broker checks each
 * client's publish and subscribe against it (broker/access.ts), and `npm run docs:topics`
 * renders it as the firmware writer's table and the access table.
 */
export interface TopicDefinition {
  /** Pattern below `forecourt/v1/{store}/`, `{device}` standing for a device id. */
  pattern: string;
  publish: TopicRule;
  subscribe: TopicRule;
  retained: boolean;
  schema: AnySchema;
  description: string;
}

export const TOPIC_DEFINITIONS: readonly TopicDefinition[] = [
  {
    pattern: 'gateway/status',
    publish: GATEWAY_ONLY,
    subscribe: { who: EVERYONE },
    retained: true,
    schema: GatewayStatus,
    description: 'Gateway up or shutting down; screens show "offline" when it says false.',
  },
  {
    pattern: 'store/info',
    publish: GATEWAY_ONLY,
    subscribe: { who: EVERYONE },
    retained: true,
    schema: StoreInfo,
    description: "Store name in every language, the store's default language and time zone.",
  },
  {
    pattern: 'device/{device}/state',
    publish: { who: [], own: DEVICES },
    subscribe: { who: [...STAFF, 'desk'] },
    retained: true,
    schema: DeviceState,
    description:
      'Health of one device. Publish on connect and on every change; set the same topic with ' +
      'online=false as the MQTT will so the store sees a pulled cable at once.',
  },
  {
    pattern: 'queue/services',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['kiosk', 'dispenser', 'board', 'desk', ...STAFF] },
    retained: true,
    schema: ServiceList,
    description: 'Every service with its ticket prefix, names, people waiting, and the minutes a new ticket would wait with their 80 % range.',
  },
  {
    pattern: 'queue/service/{service}',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['board', 'desk', ...STAFF] },
    retained: true,
    schema: QueueSnapshot,
    description: 'One service\'s queue in call order (numbers and waited minutes only, no personal data), who is being served where, and the wait of a new ticket with its 80 % range. Republished on every change and every 30 s.',
  },
  {
    pattern: 'queue/desks',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['desk', ...STAFF] },
    retained: true,
    schema: DeskList,
    description: 'The desks and the services each one calls.',
  },
  {
    pattern: 'queue/mode',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['kiosk', 'dispenser', 'board', 'desk', ...STAFF] },
    retained: true,
    schema: QueueMode,
    description: 'Peak or normal hours; `suggested` is true when the queue has grown past the threshold in normal mode.',
  },
  {
    pattern: 'queue/calls',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['board', 'desk', ...STAFF] },
    retained: true,
    schema: RecentCalls,
    description: 'The latest calls, newest first (at most 20).',
  },
  {
    pattern: 'queue/call',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['board', 'desk', ...STAFF] },
    retained: false,
    schema: CallEvent,
    description: 'One event per call or recall: the board chimes and speaks it. QoS 1.',
  },
  {
    pattern: 'device/{device}/heartbeat',
    publish: { who: [], own: DEVICES },
    subscribe: { who: [] },
    retained: false,
    schema: DeviceHeartbeat,
    description: 'Sent every 10 s while connected; QoS 0.',
  },
  {
    pattern: 'print/jobs',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['desk', ...STAFF] },
    retained: true,
    schema: PrintJobList,
    description: 'The latest print jobs of every printer (ticket numbers only), newest first; a queued job waits for its printer or its paper.',
  },
  {
    pattern: 'workshop/board',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['board', 'bay', 'desk', ...STAFF] },
    retained: true,
    schema: WorkshopBoard,
    description:
      "Every repair order of the business day for the lounge board: reception number, masked plate, model, advisor, stage, progress, promised and expected ready time, late state; the board layout; a revision. No names, no full plates, no order ids. Always current for a new subscriber; sent to subscribers when the set of orders changes and every 30 s.",
  },
  {
    pattern: 'workshop/board/changes',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['board', 'bay', 'desk', ...STAFF] },
    retained: false,
    schema: WorkshopBoardChange,
    description: 'The board rows that changed with a command, as they are now, and the revision they make; older than the board a screen has: ignore it.',
  },
  {
    pattern: 'device/{device}/scan',
    publish: { who: [], own: ['barcode-scanner'] },
    subscribe: { who: [] },
    retained: false,
    schema: BarcodeScan,
    description: 'One barcode read by a bay scanner (job card, order card or action sheet; see README "Workshop"). QoS 1.',
  },
  {
    pattern: 'device/{device}/scan/result',
    publish: GATEWAY_ONLY,
    subscribe: { who: ['bay'], own: ['barcode-scanner'] },
    retained: false,
    schema: ScanResult,
    description: 'What the gateway made of the last scan: a card waiting for its action, the command done, or why it was refused.',
  },
  {
    pattern: 'device/{device}/tap',
    publish: { who: [], own: ['nfc-reader'] },
    subscribe: { who: [] },
    retained: false,
    schema: CardTap,
    description:
      'A card on an NFC reader (README "Member cards"): `ntag` with its UID and the 16 bytes of pages 4-7, `iso14443-4` for a phone or processor card, `unreadable` when the read failed. One per card placed (a card left on the reader is not repeated). QoS 1.',
  },
  {
    pattern: 'device/{device}/write',
    publish: GATEWAY_ONLY,
    subscribe: { who: [], own: ['nfc-reader'] },
    retained: false,
    schema: CardWrite,
    description: 'Write these pages to the card with this UID if it is still on the reader (a member card issued at the desk), then read them back. QoS 1.',
  },
  {
    pattern: 'device/{device}/write/result',
    publish: { who: [], own: ['nfc-reader'] },
    subscribe: { who: [] },
    retained: false,
    schema: CardWriteResult,
    description: 'Outcome of a write request, after reading the pages back. QoS 1.',
  },
  {
    pattern: 'device/{device}/print/job',
    publish: GATEWAY_ONLY,
    subscribe: { who: [], own: ['printer'] },
    retained: false,
    schema: PrintAgentCommand,
    description:
      'To a printer agent on another PC: a print job (`type: job`: id, attempt, reprint flag, label, ESC/POS bytes in base64) or `type: cancel` (take it back if the printer does not have it yet). Sent again until the agent reports it printed, and to the agent each time it connects; a job id the agent knows is never printed twice. QoS 1.',
  },
  {
    pattern: 'device/{device}/print/report',
    publish: { who: [], own: ['printer'] },
    subscribe: { who: [] },
    retained: false,
    schema: PrintAgentReport,
    description:
      "A printer agent's word on one job: `received`, `started` (its bytes go to the printer), `printed` (the printer's in-order answer came, no stop seen), `failed` with the printer's reason (it prints again, marked 重印), `cancelled`. The printer's condition goes on `device/{device}/state`. QoS 1.",
  },
  {
    pattern: 'device/{device}/button',
    publish: { who: [], own: ['dispenser'] },
    subscribe: { who: [] },
    retained: false,
    schema: DispenserButton,
    description: 'A button pressed on a dispenser whose agent runs on another PC; the event id makes a press sent twice one ticket. QoS 1.',
  },
  {
    pattern: 'device/{device}/ticket',
    publish: GATEWAY_ONLY,
    subscribe: { who: [], own: ['dispenser'] },
    retained: false,
    schema: DispenserTicket,
    description: "The answer to a button event (ticket number, people ahead, minutes, or why none), for the dispenser's display; the ticket itself is printed on the dispenser's printer. QoS 1.",
  },
  {
    pattern: 'device/{device}/counts',
    publish: GATEWAY_ONLY,
    subscribe: { who: [], own: ['dispenser'] },
    retained: true,
    schema: DispenserCounts,
    description: "People waiting and minutes per button of one dispenser, for its display; on every change of the queue.",
  },
  {
    pattern: 'kiosk/{kiosk}/session',
    publish: GATEWAY_ONLY,
    subscribe: { who: [], own: ['kiosk'] },
    retained: false,
    schema: KioskSession,
    description:
      "A tap on the kiosk's reader: the greeting (masked name, level, points, masked plate, reminders, today's appointment) or why the card was not accepted. Never a full name or plate. `{kiosk}` is the kiosk id (`station`) of the reader in `devices.readers`.",
  },
  {
    pattern: 'desk/{desk}/session',
    publish: GATEWAY_ONLY,
    subscribe: { who: [], own: ['desk', ...STAFF] },
    retained: false,
    schema: DeskSession,
    description: "A tap on the desk's reader (`{desk}` is the desk id): the console fetches the record with the session id over HTTP; or a card issued, or why not.",
  },
];

/** The definition a concrete topic belongs to, or undefined when it is not part of the tree. */
export function findTopicDefinition(topic: string): TopicDefinition | undefined {
  const parsed = parseTopic(topic);
  if (!parsed) return undefined;
  return TOPIC_DEFINITIONS.find((def) => matches(def.pattern.split('/'), parsed.rest));
}

function matches(pattern: string[], levels: string[]): boolean {
  if (pattern.length !== levels.length) return false;
  return pattern.every((p, i) => (p.startsWith('{') ? ID_PATTERN.test(levels[i] ?? '') : p === levels[i]));
}

export type InboundCheck =
  | { ok: true; definition: TopicDefinition; payload: unknown }
  | { ok: false; kind: 'unknown-topic' | 'gateway-only' | 'bad-payload'; reason: string };

/** Checks a publish from a client (not from the gateway itself) against the tree. */
export function checkInbound(topic: string, payload: Uint8Array): InboundCheck {
  const definition = findTopicDefinition(topic);
  if (!definition) return { ok: false, kind: 'unknown-topic', reason: 'unknown topic' };
  if (definition.publish.who.length === 0 && !definition.publish.own?.length) return { ok: false, kind: 'gateway-only', reason: 'topic is published by the gateway only' };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { ok: false, kind: 'bad-payload', reason: 'payload is not UTF-8 JSON' };
  }
  const result = definition.schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, kind: 'bad-payload', reason: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, definition, payload: result.data };
}
