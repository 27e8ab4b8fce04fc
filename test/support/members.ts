import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Gateway, loadConfig, type Config } from '@forecourt/gateway';
import { encodeCard, type MemberRecord } from '../../gateway/src/domain/members/index.js';
import { demoMember } from '../../gateway/src/demo/demo-members.js';
import { openDatabase } from '../../gateway/src/store/database.js';
import { SqliteMemberStore } from '../../gateway/src/store/member-store.js';
import { VirtualCard } from './vpcd-card.js';
import { bearer, staffToken } from './identities.js';

/** A card key as the config holds it: hex (`openssl rand -hex 32`), decoded to bytes by the gateway. */
export const TEST_CARD_KEY = { id: 7, secret: '7465737420636172642b6b6579203031323334353637383961626364656630313233' };
/** The same key as the gateway uses it: the bytes behind the hex. */
export const TEST_CARD_KEY_BYTES = { id: TEST_CARD_KEY.id, secret: Buffer.from(TEST_CARD_KEY.secret, 'hex') };
export const KIOSK_READER = { id: 'kiosk-reader-1', pcscName: 'Virtual PCD 00 00', role: 'kiosk', station: 'kiosk-1' } as const;
export const DESK_READER = { id: 'desk-reader-1', pcscName: 'Virtual PCD 00 01', role: 'desk', station: '1' } as const;
export const KIOSK_PORT = 35963;
export const DESK_PORT = 35964;

export interface MemberGateway {
  gateway: Gateway;
  config: Config;
  httpUrl: string;
  mqttUrl: string;
  /** Every log line as parsed JSON (to check what is and is not logged). */
  logs: Record<string, unknown>[];
  /** Headers of a manager's bearer token, for calls that are not about who may do what. */
  admin: Record<string, string>;
  dispose(): Promise<void>;
}

/** A real gateway with card keys and readers (`agent: remote` ones are served by a test's own agent). */
export async function startMemberGateway(options: { readers?: { id: string; pcscName: string; role: 'kiosk' | 'desk' | 'bay'; station: string; agent?: 'gateway' | 'remote' }[]; members?: MemberRecord[]; now?: () => Date; configure?: (config: Config) => void } = {}): Promise<MemberGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'forecourt-members-'));
  const { config } = loadConfig(['--http-port', '0', '--mqtt-port', '0', '--data-dir', dataDir], {}, dataDir);
  config.http.host = '127.0.0.1';
  config.mqtt.host = '127.0.0.1';
  config.demo = false;
  config.members.cardKeys = [TEST_CARD_KEY];
  config.members.tapDebounceMs = 300;
  config.devices.readers = (options.readers ?? []).map((r) => ({ agent: 'gateway', ...r }));
  options.configure?.(config);
  if (options.members) seedMembers(dataDir, options.members);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const gateway = new Gateway(config, { log: pino({ level: 'debug' }, sink), ...(options.now ? { now: options.now } : {}) });
  await gateway.start();
  return {
    gateway,
    config,
    httpUrl: `http://127.0.0.1:${gateway.httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${gateway.mqttPort}`,
    logs,
    admin: bearer(staffToken(gateway, 'manager', 'test admin')),
    async dispose() {
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Loads members through the store interface the DMS sync uses, before the gateway opens the file. */
export function seedMembers(dataDir: string, records: MemberRecord[]): void {
  const db = openDatabase(dataDir);
  try {
    new SqliteMemberStore(db).upsertMembers(records);
  } finally {
    db.close();
  }
}

/** 王小明 with one car, 粤B·D5678, and whatever the test adds. */
export function testMember(overrides: Partial<MemberRecord> = {}, now = new Date()): MemberRecord {
  const base = demoMember(42, now, 'Asia/Shanghai');
  const vehicle = { ...base.vehicles[0]!, id: 421, plate: '粤B·D5678', model: 'Camry 2.5L' };
  return { ...base, id: 42, name: '王小明', vehicles: [vehicle], appointments: [], ...overrides };
}

/** A genuine member card: NTAG memory with the MAC over this card's UID. */
export function memberCard(uid: string, memberId: number, vehicleId: number, key = TEST_CARD_KEY): VirtualCard {
  const data = encodeCard(Buffer.from(uid, 'hex'), { memberId, vehicleId }, { id: key.id, secret: Buffer.from(key.secret, 'hex') });
  return VirtualCard.ntag(uid, data);
}
