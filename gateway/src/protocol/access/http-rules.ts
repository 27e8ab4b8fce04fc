import { QueueCommand } from '../queue.js';
import { WorkshopCommand } from '../workshop.js';
import { MemberCommand } from '../members.js';
import type { StaffCardCommand } from './identity-api.js';
import { ROLES, type Audience } from './principal.js';

/**
 * Who may call each HTTP route: the rule table beside the routes. Fastify refuses to register a
 * route without a rule here (http/access-hooks.ts), so a new route cannot be open by accident.
 * A route that takes commands names, per `action`, who may send it.
 */
export interface RouteRule {
  method: 'GET' | 'POST';
  /** The route's URL as registered with Fastify (`:param`, a trailing `*` for static files). */
  url: string;
  who: readonly Audience[];
  /** For command routes: the audiences of each action (all of them must appear in `who`). */
  actions?: Readonly<Record<string, readonly Audience[]>>;
  /** Shown in the generated access table. */
  note: string;
}

const EVERYONE: readonly Audience[] = ['public'];
const FRONT = ROLES.front;
const ANY_STAFF = ROLES.anyStaff;
const ADMINS = ROLES.admins;
const WORKSHOP = ROLES.workshop;

type QueueAction = QueueCommand['action'];
type WorkshopAction = WorkshopCommand['action'];
type MemberAction = MemberCommand['action'];

/** Queue commands: kiosks only take tickets (priority comes from a verified card, never the body). */
export const QUEUE_ACTIONS: Readonly<Record<QueueAction, readonly Audience[]>> = {
  issue: ['kiosk', ...FRONT],
  'call-next': FRONT,
  call: FRONT,
  recall: FRONT,
  start: FRONT,
  finish: FRONT,
  'no-show': FRONT,
  'put-back': FRONT,
  transfer: FRONT,
  cancel: FRONT,
  'set-mode': FRONT,
};

/** Workshop commands: the desk opens and plans orders; technicians run job clocks and QC at the bays. */
export const WORKSHOP_ACTIONS: Readonly<Record<WorkshopAction, readonly Audience[]>> = {
  open: ['receptionist', ...WORKSHOP],
  book: ['receptionist', ...WORKSHOP],
  move: WORKSHOP,
  'set-promised': ['advisor', 'workshop-controller', 'manager'],
  'add-job': ['advisor', 'workshop-controller', 'manager'],
  assign: ['advisor', 'workshop-controller', 'manager'],
  'job-start': WORKSHOP,
  'job-pause': WORKSHOP,
  'job-resume': WORKSHOP,
  'job-finish': WORKSHOP,
  'set-settlement': ['advisor', 'workshop-controller', 'manager'],
};

export const MEMBER_ACTIONS: Readonly<Record<MemberAction, readonly Audience[]>> = {
  'card:issue': FRONT,
  'card:cancel': FRONT,
};

/** Staff cards: a manager issues and revokes them (a card signs its holder in with their role). */
export const STAFF_CARD_ACTIONS: Readonly<Record<StaffCardCommand['action'], readonly Audience[]>> = {
  issue: ROLES.managers,
  cancel: ROLES.managers,
  revoke: ROLES.managers,
};

const union = (actions: Readonly<Record<string, readonly Audience[]>>): Audience[] => [...new Set(Object.values(actions).flat())];

/** Static files of the screens: the pages are public, the data behind them is not. */
const SCREEN_PREFIXES = ['/kiosk/', '/desk/', '/board/', '/bay/', '/status/', '/assets/'];

export const ROUTE_RULES: readonly RouteRule[] = [
  { method: 'GET', url: '/', who: EVERYONE, note: 'index of the screens' },
  { method: 'GET', url: '/healthz', who: EVERYONE, note: 'liveness: up or not, no data' },
  { method: 'GET', url: '/api/store', who: EVERYONE, note: "the store's name, language and time zone (for screens before enrolment or sign-in)" },
  { method: 'GET', url: '/metrics', who: ADMINS, note: 'Prometheus figures; scrapers use a staff token' },
  ...SCREEN_PREFIXES.map((prefix): RouteRule => ({ method: 'GET', url: `${prefix}*`, who: EVERYONE, note: 'screen pages and files (their data needs enrolment or sign-in)' })),
  { method: 'GET', url: '/t/:id', who: EVERYONE, note: "a ticket's place in the queue, by its unguessable id (QR code)" },

  // Identity
  { method: 'POST', url: '/api/auth/sign-in', who: EVERYONE, note: 'staff sign-in by staff number and PIN; backs off per account and source' },
  { method: 'POST', url: '/api/auth/sign-out', who: EVERYONE, note: 'ends the session of the cookie, if any' },
  { method: 'GET', url: '/api/auth/me', who: EVERYONE, note: 'who the caller is' },
  { method: 'POST', url: '/api/auth/desk', who: ANY_STAFF, note: 'the desk a signed-in staff member works at' },
  { method: 'POST', url: '/api/auth/activity', who: ANY_STAFF, note: "a signed-in screen's person is still there (keeps the session from idling out)" },
  { method: 'POST', url: '/api/enrol/requests', who: EVERYONE, note: 'a new screen asks to be enrolled and shows its pairing code' },
  { method: 'POST', url: '/api/enrol/requests/:requestId/poll', who: EVERYONE, note: 'the screen collects its device token once approved (needs its poll token)' },
  { method: 'GET', url: '/api/enrol/requests', who: ADMINS, note: 'pending pairing codes' },
  { method: 'POST', url: '/api/enrol/approve', who: ADMINS, note: 'enrol a screen by its pairing code' },
  { method: 'POST', url: '/api/enrol/reject', who: ADMINS, note: 'refuse a pairing code' },
  { method: 'GET', url: '/api/devices', who: ADMINS, note: 'enrolled screens and provisioned devices' },
  { method: 'POST', url: '/api/devices/:id/revoke', who: ADMINS, note: 'revoke a device: its token stops working, its connections close' },
  { method: 'GET', url: '/api/audit', who: ROLES.managers, note: 'who did what, when, from which device' },
  { method: 'POST', url: '/api/auth/card-sign-in', who: ['desk', 'bay'], note: "an enrolled desk PC or bay terminal waits (5 s at a time) for a staff card on its own station's reader; the session cookie of whoever tapped" },
  { method: 'GET', url: '/api/staff', who: ROLES.managers, note: 'staff and the staff card each holds' },
  { method: 'POST', url: '/api/staff/cards/commands', who: union(STAFF_CARD_ACTIONS), actions: STAFF_CARD_ACTIONS, note: "issue a staff card at the manager's desk reader, or revoke one; audited" },

  // Queue
  { method: 'POST', url: '/api/queue/commands', who: union(QUEUE_ACTIONS), actions: QUEUE_ACTIONS, note: 'queue commands' },
  { method: 'GET', url: '/api/queue/desks/:desk', who: FRONT, note: "a desk's tickets and queues" },
  { method: 'GET', url: '/api/queue/tickets/:id', who: EVERYONE, note: 'one ticket by its unguessable id' },

  // Members: files only to front-desk staff; kiosks act through the session of their own greeting
  { method: 'GET', url: '/api/members', who: FRONT, note: 'search members by plate, phone or name (masked phone)' },
  { method: 'GET', url: '/api/members/:ref', who: FRONT, note: 'a member file by its opaque reference (masked phone)' },
  { method: 'POST', url: '/api/members/:ref/reveal-phone', who: FRONT, note: "a member's full mobile number; audited" },
  { method: 'GET', url: '/api/members/sessions/:sessionId', who: FRONT, note: "the file of a tap on the caller's own desk reader" },
  { method: 'POST', url: '/api/members/sessions/:sessionId/ticket', who: ['kiosk', ...FRONT], note: "a ticket for the member greeted on the caller's own kiosk" },
  { method: 'POST', url: '/api/members/sessions/:sessionId/check-in', who: ['kiosk', ...FRONT], note: "check in the greeted member's appointment" },
  { method: 'POST', url: '/api/members/commands', who: union(MEMBER_ACTIONS), actions: MEMBER_ACTIONS, note: 'issue a member card at the desk reader' },
  { method: 'POST', url: '/api/members/demo-tap', who: ['kiosk', ...FRONT], note: 'demo mode only: a simulated card tap' },

  // Workshop
  { method: 'POST', url: '/api/workshop/commands', who: union(WORKSHOP_ACTIONS), actions: WORKSHOP_ACTIONS, note: 'repair order commands' },
  { method: 'GET', url: '/api/workshop/orders', who: ANY_STAFF, note: "today's orders, full detail" },
  { method: 'GET', url: '/api/workshop/orders/:no', who: ANY_STAFF, note: 'one order, full detail' },
  { method: 'GET', url: '/api/workshop/orders/by-token/:token', who: EVERYONE, note: "the customer's order by the unguessable token of the slip's QR code (masked)" },
  { method: 'GET', url: '/api/workshop/orders/by-ticket/:ticketId', who: EVERYONE, note: "the customer's order by the ticket it was opened from (masked)" },
  { method: 'GET', url: '/api/workshop/orders/:no/documents', who: ANY_STAFF, note: "an order's work order, settlement statement and exit pass: printable yet, their print jobs" },
  { method: 'POST', url: '/api/workshop/orders/:no/documents/:kind/print', who: [...FRONT, 'workshop-controller'], note: 'print one of them again on the desk printer (or a named one); audited' },
  { method: 'GET', url: '/api/workshop/exit-passes/:code', who: ANY_STAFF, note: 'the gate checks an exit pass: the released order it lets out, full plate' },

  // Statistics
  { method: 'GET', url: '/api/stats/queue', who: ROLES.managers, note: 'queue figures per day, hour, service or desk: tickets, waits, service times, no-shows, walk-aways, estimate accuracy' },
  { method: 'GET', url: '/api/stats/queue.csv', who: ROLES.managers, note: 'the same as a CSV file' },
  { method: 'GET', url: '/api/stats/workshop', who: ROLES.managers, note: 'released orders per day: promised-time hit rate, reworks, comebacks, labour vs. elapsed, time per stage; orders in the workshop now' },
  { method: 'GET', url: '/api/stats/workshop.csv', who: ROLES.managers, note: 'the same as a CSV file' },

  // Survey and follow-up calls (回訪)
  { method: 'GET', url: '/api/surveys/by-token/:token', who: EVERYONE, note: "the survey of the customer's order by the status page's unguessable token: open, answered, not released, expired" },
  { method: 'POST', url: '/api/surveys/by-token/:token', who: EVERYONE, note: "the customer's answer from the status page; one per order; audited" },
  { method: 'GET', url: '/api/surveys/kiosk/:sessionId', who: ['kiosk'], note: "the released order of the card tapped on the kiosk's own reader still waiting for an answer (masked plate)" },
  { method: 'POST', url: '/api/surveys/kiosk/:sessionId', who: ['kiosk'], note: "the customer's answer at the kiosk, for an order of the tapped vehicle; one per order; audited" },
  { method: 'GET', url: '/api/surveys', who: ROLES.managers, note: 'survey answers with filters, their count and average' },
  { method: 'GET', url: '/api/follow-ups', who: FRONT, note: "orders due for their follow-up call (customer's name, masked mobile) and open complaints" },
  { method: 'POST', url: '/api/follow-ups/:no/calls', who: FRONT, note: "a follow-up call's outcome: reached, not reached (stays due), complaint (flagged); audited" },
  { method: 'POST', url: '/api/follow-ups/:no/preference', who: [...FRONT, 'workshop-controller'], note: "the customer's preferred time for the follow-up call, noted at settlement; audited" },
  { method: 'POST', url: '/api/follow-ups/flags/:id/close', who: ROLES.managers, note: "the manager closes a complaint's flag; audited" },

  // Head office (DMS relay)
  { method: 'GET', url: '/api/relay/status', who: [...FRONT, 'installer'], note: 'head office: connected or offline since when, events waiting, rejected' },
  { method: 'GET', url: '/api/relay/dead-letters', who: ROLES.managers, note: 'events head office refused, with their content' },
  { method: 'POST', url: '/api/relay/dead-letters/:transport/:seq/retry', who: ROLES.managers, note: 'send a refused event again; audited' },

  // Backups of the store database
  { method: 'POST', url: '/api/backups', who: ADMINS, note: 'back the database up now (checked copy in the backup folder); audited' },
  { method: 'GET', url: '/api/backups', who: ADMINS, note: 'the last backup tried (ok or why not) and the copies kept' },

  // Printing
  { method: 'POST', url: '/api/print/ticket/:ticketId', who: ['kiosk', ...FRONT], note: 'print a ticket' },
  { method: 'GET', url: '/api/print/printers', who: ANY_STAFF, note: 'printers and their state' },
  { method: 'GET', url: '/api/print/jobs', who: ANY_STAFF, note: 'latest print jobs' },
  { method: 'GET', url: '/api/print/jobs/:id', who: ANY_STAFF, note: 'one job decoded' },
  { method: 'GET', url: '/api/print/jobs/:id/preview.svg', who: ANY_STAFF, note: 'one job drawn' },
  { method: 'POST', url: '/api/print/jobs/:id/reprint', who: [...FRONT, 'installer'], note: 'print a job again' },
  { method: 'POST', url: '/api/print/printers/:id/test', who: [...FRONT, 'installer'], note: 'test page' },
];

/** The rule of a route as Fastify names it (HEAD follows GET), or undefined: deny. */
export function findRouteRule(method: string, url: string): RouteRule | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return ROUTE_RULES.find((r) => r.method === m && r.url === url);
}
