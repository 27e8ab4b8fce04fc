/**
 * The store that `bench:bus` plays: who is on the bus, what each one sends in a busy hour, and
 * the data the gateway (or the Mosquitto stand-in) starts with. Pure description and set-up; the
 * clients that act it out are in bus-fleet.ts.
 */
import { demoMembers, demoVehicleId } from '../demo/demo-members.js';
import { rng } from '../demo/demo-members.js';
import { encodeCard, type CardKey } from '../domain/members/index.js';
import { QueueEngine } from '../domain/queue/index.js';
import { WorkshopEngine } from '../domain/workshop/index.js';
import { openDatabase } from '../index.js';
import type { DeviceKind } from '../protocol/index.js';
import { SqliteMemberStore } from '../store/member-store.js';
import { SqliteQueueStore } from '../store/queue-store.js';
import { SqliteWorkshopStore } from '../store/workshop-store.js';

export const STORE_ID = 'bench';
export const TIME_ZONE = 'Asia/Shanghai';
/** Card key of the bench's member cards (in the config of both stores, never the public demo key). */
export const BENCH_KEY = { id: 7, secret: '6275732d62656e63682d636172642d6b65792d30313233343536373839616263' };

export type Role = 'kiosk-reader' | 'desk-reader' | 'scanner' | 'dispenser' | 'printer' | 'board' | 'kiosk' | 'desk';

/** One MQTT client of the store: a device that publishes, or a screen that only listens. */
export interface Member {
  id: string;
  kind: DeviceKind;
  role: Role;
  /** Kiosk id (kiosk reader), desk id (desk reader, desk console). */
  station?: string;
}

export interface Population {
  /** Devices on MQTT over TCP: they publish heartbeats and states; readers tap, scanners scan. */
  devices: Member[];
  /** Browsers on MQTT over WebSocket: they only subscribe. */
  screens: Member[];
  /** The desks of the queue, each with services of its own (so a desk's call-next never finds its queue empty). */
  desks: { id: string; name: number; services: string[] }[];
}

export interface PopulationSize {
  screens: number;
  kiosks: number;
  desks: number;
  bays: number;
  dispensers: number;
  printers: number;
}

export const DEFAULT_SIZE: PopulationSize = { screens: 20, kiosks: 4, desks: 4, bays: 8, dispensers: 2, printers: 3 };

const DESK_SERVICES = [['maintenance'], ['repair'], ['sales'], ['pickup', 'claims']];

export function population(size: PopulationSize): Population {
  if (size.desks !== DESK_SERVICES.length) throw new RangeError(`the bench store has ${DESK_SERVICES.length} desks`);
  const boards = size.screens - size.kiosks - size.desks;
  if (boards < 1) throw new RangeError('--screens must leave room for at least one lounge board after the kiosks and desk consoles');
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const devices: Member[] = [
    ...range(size.kiosks).map((i): Member => ({ id: `kiosk-reader-${i}`, kind: 'nfc-reader', role: 'kiosk-reader', station: `kiosk-${i}` })),
    ...range(size.desks).map((i): Member => ({ id: `desk-reader-${i}`, kind: 'nfc-reader', role: 'desk-reader', station: String(i) })),
    ...range(size.bays).map((i): Member => ({ id: `bay-${i}-scanner`, kind: 'barcode-scanner', role: 'scanner' })),
    ...range(size.dispensers).map((i): Member => ({ id: `dispenser-${i}`, kind: 'dispenser', role: 'dispenser' })),
    ...range(size.printers).map((i): Member => ({ id: `printer-${i}`, kind: 'printer', role: 'printer' })),
  ];
  const screens: Member[] = [
    ...range(boards).map((i): Member => ({ id: `board-${i}`, kind: 'board', role: 'board' })),
    ...range(size.kiosks).map((i): Member => ({ id: `kiosk-${i}`, kind: 'kiosk', role: 'kiosk' })),
    ...range(size.desks).map((i): Member => ({ id: `desk-pc-${i}`, kind: 'desk', role: 'desk', station: String(i) })),
  ];
  const desks = DESK_SERVICES.map((services, i) => ({ id: String(i + 1), name: i + 1, services }));
  return { devices, screens, desks };
}

/**
 * A busy hour of a large 4S store (the assumptions, stated so they can be argued with):
 * 120 tickets (each issued at a kiosk, called and finished at a desk: three HTTP commands),
 * a member-card tap at the kiosk for every ticket and at the desk for every other one, each bay
 * technician scanning a job card + action ten times, every device's heartbeat every 10 s (the
 * firmware period) and three state changes per device (paper low and back, a reconnect).
 */
export interface BusyHour {
  tickets: number;
  kioskTaps: number;
  deskTaps: number;
  scanPairsPerBay: number;
  heartbeatPeriodS: number;
  statesPerDevice: number;
}

export const BUSY_HOUR: BusyHour = { tickets: 120, kioskTaps: 120, deskTaps: 60, scanPairsPerBay: 10, heartbeatPeriodS: 10, statesPerDevice: 3 };

/** The config both stores run with (the gateway reads it from a file; the stand-in too). */
export function benchConfig(pop: Population, dataDir: string): Record<string, unknown> {
  return {
    version: 1,
    store: { id: STORE_ID, timeZone: TIME_ZONE, language: 'zh-Hans' },
    http: { host: '127.0.0.1', port: 0 },
    // A store's devices never come near 200 publishes/s each; the saturating run's flood does.
    mqtt: { host: '127.0.0.1', port: 0, maxPublishPerSecond: 100_000 },
    // Peak-hour suggestions would flap with the saturating run's parallel tickets; they are not what is measured.
    queue: { desks: pop.desks, peakThreshold: 500 },
    members: { cardKeys: [BENCH_KEY], currentKeyId: BENCH_KEY.id },
    devices: {
      readers: pop.devices
        .filter((d) => d.role === 'kiosk-reader' || d.role === 'desk-reader')
        .map((d) => ({ id: d.id, pcscName: `bench ${d.id}`, role: d.role === 'kiosk-reader' ? 'kiosk' : 'desk', station: d.station, agent: 'remote' })),
    },
    workshop: { board: { layout: 'both' } },
    dataDir,
    demo: false,
    log: { level: 'warn' },
  };
}

export interface StoreSetup {
  /** The orders each bay scanner works on (dispatched, one job each), by scanner id. */
  bayOrders: Map<string, string[]>;
  members: number;
}

/**
 * What the store holds before the run, written straight into its SQLite file through the same
 * stores the gateway uses: members with cards, the day's repair orders (two per bay in work,
 * the rest at reception), and a waiting queue of 8 tickets per service.
 */
export function prepareStore(dataDir: string, pop: Population, members: number, now = new Date()): StoreSetup {
  const db = openDatabase(dataDir);
  try {
    const memberStore = new SqliteMemberStore(db);
    for (let first = 1; first <= members; first += 5000) memberStore.upsertMembers(demoMembers(first, Math.min(5000, members - first + 1), now, TIME_ZONE));

    const queue = new QueueEngine({ store: new SqliteQueueStore(db), clock: () => new Date(), timeZone: TIME_ZONE, desks: pop.desks });
    for (let round = 0; round < 8; round++) for (const service of pop.desks.flatMap((d) => d.services)) queue.issue({ service });

    const workshop = new WorkshopEngine({ store: new SqliteWorkshopStore(db), clock: () => new Date(), timeZone: TIME_ZONE });
    const bayOrders = new Map<string, string[]>();
    let n = 0;
    const open = () => {
      n += 1;
      const { order } = workshop.execute(
        { action: 'open', plate: `粤B·${String(20000 + n)}`, model: n % 2 ? 'Toyota Camry' : 'Honda Accord', advisor: '王芳', jobs: [{ title: '保养 Oil service', technicians: ['张伟'] }] },
        'bench',
      );
      return order.no;
    };
    for (const scanner of pop.devices.filter((d) => d.role === 'scanner')) {
      const orders = [open(), open()];
      for (const no of orders) workshop.execute({ action: 'move', order: no, to: 'dispatched' }, 'bench');
      bayOrders.set(scanner.id, orders);
    }
    while (n < 60) open();
    return { bayOrders, members };
  } finally {
    db.close();
  }
}

/** A member card as a reader sends it: NTAG UID and the 16 bytes of pages 4-7. */
export function memberCard(memberId: number, key: CardKey = { id: BENCH_KEY.id, secret: Buffer.from(BENCH_KEY.secret, 'hex') }): { uid: string; data: string } {
  const uid = Buffer.alloc(7);
  uid[0] = 0x04;
  uid.writeUInt32BE(memberId, 3);
  return { uid: uid.toString('hex'), data: encodeCard(uid, { memberId, vehicleId: demoVehicleId(memberId) }, key).toString('hex') };
}


/** One source of traffic: its steps happen in order, `gaps[i]` ms after the previous one (paced runs). */
export interface Chain {
  kind: 'desk' | 'tap' | 'scan' | 'heartbeat' | 'state';
  /** The device or desk that acts. */
  owner: string;
  steps: number;
  /** Milliseconds before each step in a paced run (random arrivals, not a metronome). */
  gaps: number[];
}

/**
 * The chains of `hours` busy hours. Paced, the hour lasts `hourMs`; each chain's count is fixed,
 * so both brokers get the same messages whatever their speed. A desk chain step is one ticket:
 * issue at the kiosk, call-next and finish at the desk.
 */
export function plan(pop: Population, hour: BusyHour, hours: number, hourMs: number, seed: number): Chain[] {
  const random = rng(seed);
  // A Poisson process with a fixed count: arrival times uniform over the period, sorted.
  const chain = (kind: Chain['kind'], owner: string, perHour: number): Chain => {
    const steps = Math.max(1, Math.round(perHour * hours));
    const times = Array.from({ length: steps }, () => random() * hourMs * hours).sort((a, b) => a - b);
    return { kind, owner, steps, gaps: times.map((t, i) => t - (times[i - 1] ?? 0)) };
  };
  const chains: Chain[] = [];
  // Three commands per ticket: issue, call-next, finish.
  for (const desk of pop.desks) chains.push(chain('desk', desk.id, (hour.tickets * 3) / pop.desks.length));
  const kioskReaders = pop.devices.filter((d) => d.role === 'kiosk-reader');
  const deskReaders = pop.devices.filter((d) => d.role === 'desk-reader');
  for (const r of kioskReaders) chains.push(chain('tap', r.id, hour.kioskTaps / kioskReaders.length));
  for (const r of deskReaders) chains.push(chain('tap', r.id, hour.deskTaps / deskReaders.length));
  for (const s of pop.devices.filter((d) => d.role === 'scanner')) chains.push(chain('scan', s.id, hour.scanPairsPerBay * 2));
  for (const d of pop.devices) {
    chains.push(chain('heartbeat', d.id, 3600 / hour.heartbeatPeriodS));
    chains.push(chain('state', d.id, hour.statesPerDevice));
  }
  return chains;
}

/**
 * The same steps, with the same arrival times, in up to `ways` parallel chains per source: a
 * device may have several messages in flight and a desk several tickets (each its own issue →
 * call-next → finish), so that at high rates the sources stay open loop — what arrives is sent,
 * however slow the answers — instead of throttling themselves on their own round trips. A bay
 * scanner stays one chain: its card and action must pair up, as a technician scans them.
 */
export function widen(chains: readonly Chain[], ways: number): Chain[] {
  return chains.flatMap((c) => {
    if (c.kind === 'scan' || ways <= 1) return [c];
    const unit = c.kind === 'desk' ? 3 : 1;
    let t = 0;
    const times = c.gaps.map((g) => (t += g));
    const parts = Array.from({ length: ways }, () => [] as number[]);
    times.forEach((time, i) => parts[Math.floor(i / unit) % ways]?.push(time));
    return parts
      .filter((p) => p.length > 0)
      .map((p): Chain => ({ kind: c.kind, owner: c.owner, steps: p.length, gaps: p.map((time, i) => time - (p[i - 1] ?? 0)) }));
  });
}
