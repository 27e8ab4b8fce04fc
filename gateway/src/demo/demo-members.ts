import type { MemberLevel, MemberRecord } from '../domain/members/index.js';
import { localDate } from '../domain/members/index.js';

// Made-up members for the demo store and the tap benchmark, loaded through the same
// MemberStore.upsertMembers call the DMS sync uses. Deterministic: member n is always the same
// person, with dates relative to `now` so that reminders and appointments show today.

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '林', '何', '欧阳', '司马'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '小明', '建国', '志强', '海燕'];
const PROVINCES = ['粤', '京', '沪', '浙', '苏', '川', '鄂', '湘'];
const MODELS = ['Camry 2.5L', 'Corolla 1.8L Hybrid', 'RAV4 2.0L', 'Highlander 2.5L Hybrid', 'Accord 1.5T', 'CR-V 1.5T', 'Sylphy 1.6L', 'Model Y', 'Han EV', 'Magotan 330TSI'];
const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const RECOMMENDED = ['更换机油机滤', '更换空调滤芯', '检查刹车片', '四轮定位', '更换雨刮片', '电瓶检测'];
const LEVELS: MemberLevel[] = ['standard', 'standard', 'standard', 'silver', 'silver', 'gold', 'platinum'];
const SERVICES = ['maintenance', 'repair', 'claims'];

/** How many members the demo store has (the demo's simulated DMS serves the same ones). */
export const DEMO_MEMBERS = 200;

/** A small, fast, seedable PRNG (mulberry32), so member n is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Vehicle ids are the member id × 10 + 1 (and + 2 for a second car). */
export function demoVehicleId(memberId: number, index = 0): number {
  return memberId * 10 + 1 + index;
}

export function demoMember(id: number, now: Date, timeZone: string): MemberRecord {
  const r = rng(id * 7919);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const today = localDate(now, timeZone);
  const vehicleCount = r() < 0.15 ? 2 : 1;
  const vehicles = Array.from({ length: vehicleCount }, (_, i) => {
    const mileage = 5_000 + Math.floor(r() * 120_000);
    const serial = Array.from({ length: 5 }, () => (r() < 0.3 ? pick([...PLATE_LETTERS]) : String(Math.floor(r() * 10)))).join('');
    return {
      id: demoVehicleId(id, i),
      plate: `${pick(PROVINCES)}${pick([...PLATE_LETTERS])}·${serial}`,
      vin: Array.from({ length: 17 }, () => pick([...VIN_CHARS])).join(''),
      model: pick(MODELS),
      mileageKm: mileage,
      maintenanceDueDate: addDays(today, Math.floor(r() * 120) - 20),
      maintenanceDueKm: mileage + Math.floor(r() * 6_000) - 500,
      inspectionDue: addDays(today, Math.floor(r() * 365) - 10),
      insuranceExpiry: addDays(today, Math.floor(r() * 365) - 5),
      recommended: RECOMMENDED.filter(() => r() < 0.25),
    };
  });
  // Every fourth member has an appointment today for their first car, a few minutes from now.
  const appointments =
    id % 4 === 0
      ? [{ id: `demo-${id}-1`, vehicleId: vehicles[0]!.id, at: new Date(now.getTime() + (Math.floor(r() * 120) - 30) * 60_000).toISOString(), service: pick(SERVICES), status: 'booked' as const, note: null }]
      : [];
  const birthday = id % 10 === 0 ? `19${70 + Math.floor(r() * 30)}-${today.slice(5)}` : `19${70 + Math.floor(r() * 30)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
  return {
    id,
    name: `${pick(SURNAMES)}${pick(GIVEN)}`,
    phone: `13${String(Math.floor(r() * 1e9)).padStart(9, '0')}`,
    level: pick(LEVELS),
    points: Math.floor(r() * 20_000),
    birthday,
    vehicles,
    appointments,
  };
}

/** Members `first` … `first + count - 1`. */
export function demoMembers(first: number, count: number, now: Date, timeZone: string): MemberRecord[] {
  return Array.from({ length: count }, (_, i) => demoMember(first + i, now, timeZone));
}
