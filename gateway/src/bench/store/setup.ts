/**
 * The store `bench:store` runs: who is on the bus, the gateway's config, and what its SQLite file
 * holds before the start (members with cards, the day's repair orders), written through the
 * same stores the gateway uses.
 */
import { demoMembers } from '../../demo/demo-members.js';
import { WorkshopEngine } from '../../domain/workshop/index.js';
import { openDatabase } from '../../index.js';
import { SqliteMemberStore } from '../../store/member-store.js';
import { SqliteWorkshopStore } from '../../store/workshop-store.js';
import { BENCH_KEY, STORE_ID, TIME_ZONE, type Member } from '../bus-mix.js';
import type { DeviceRig } from './devices.js';
import type { Desk } from './people.js';

export const SIZE = { boards: 20, kiosks: 4, desks: 6, bays: 4, dispensers: 2 } as const;

/** The desks and their services: maintenance is most of the log's demand, so every desk takes it. */
export const DESKS: Desk[] = [
  { id: '1', services: ['maintenance', 'repair'] },
  { id: '2', services: ['maintenance', 'claims'] },
  { id: '3', services: ['maintenance', 'sales'] },
  { id: '4', services: ['maintenance', 'pickup'] },
  { id: '5', services: ['maintenance'] },
  { id: '6', services: ['maintenance', 'repair', 'claims', 'sales', 'pickup'] },
];

/** The screens: lounge boards, kiosks (kiosk-1 has the kiosk reader) and desk consoles (desk 1 has the desk reader). */
export function screens(): Member[] {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  return [
    ...range(SIZE.boards).map((i): Member => ({ id: `board-${i}`, kind: 'board', role: 'board' })),
    ...range(SIZE.kiosks).map((i): Member => ({ id: `kiosk-${i}`, kind: 'kiosk', role: 'kiosk' })),
    ...DESKS.map((d): Member => ({ id: `desk-pc-${d.id}`, kind: 'desk', role: 'desk', station: d.id })),
  ];
}

export function gatewayConfig(dataDir: string, ports: { http: number; mqtt: number }, rig: DeviceRig): Record<string, unknown> {
  const devices = rig.config();
  return {
    version: 1,
    store: { id: STORE_ID, timeZone: TIME_ZONE, language: 'zh-Hans' },
    http: { host: '127.0.0.1', port: ports.http },
    mqtt: { host: '127.0.0.1', port: ports.mqtt },
    queue: { desks: DESKS.map((d) => ({ id: d.id, name: Number(d.id), services: d.services })) },
    members: { cardKeys: [BENCH_KEY], currentKeyId: BENCH_KEY.id },
    devices: { printers: devices.printers, dispensers: devices.dispensers, readers: devices.readers, kioskPrinter: 'kiosk-printer-1', publicUrl: 'http://forecourt.local:8080' },
    workshop: { board: { layout: 'both' }, scanners: devices.scanners },
    dataDir,
    demo: false,
    log: { level: 'warn' },
  };
}

export interface Workshop {
  /** Orders in repair that the workshop controller moves (paused ⇄ in repair). */
  moved: string[];
  /** Per bay, the two dispatched orders its technician works on. */
  bays: string[][];
}

/** Members with cards, and the day's orders: 40 in repair, two dispatched per bay, 20 at reception. */
export function prepareStore(dataDir: string, members: number, now = new Date()): Workshop {
  const db = openDatabase(dataDir);
  try {
    const memberStore = new SqliteMemberStore(db);
    for (let first = 1; first <= members; first += 5000) memberStore.upsertMembers(demoMembers(first, Math.min(5000, members - first + 1), now, TIME_ZONE));
    const workshop = new WorkshopEngine({ store: new SqliteWorkshopStore(db), clock: () => new Date(), timeZone: TIME_ZONE });
    let n = 0;
    const open = (...stages: ('dispatched' | 'in-repair')[]) => {
      n += 1;
      const { order } = workshop.execute(
        { action: 'open', plate: `粤B·${String(30000 + n)}`, model: n % 2 ? 'Toyota Camry' : 'Honda Accord', advisor: '王芳', jobs: [{ title: '保养 Oil service', technicians: ['张伟'] }] },
        'bench',
      );
      for (const to of stages) workshop.execute({ action: 'move', order: order.no, to }, 'bench');
      return order.no;
    };
    const moved = Array.from({ length: 40 }, () => open('dispatched', 'in-repair'));
    const bays = Array.from({ length: SIZE.bays }, () => [open('dispatched'), open('dispatched')]);
    for (let i = 0; i < 20; i++) open();
    return { moved, bays };
  } finally {
    db.close();
  }
}
