import { describe, expect, it } from 'vitest';
import { isBirthday, localDate, remindersFor } from '../../../gateway/src/domain/members/reminders.js';
import type { VehicleRecord } from '../../../gateway/src/domain/members/member.js';

const vehicle: VehicleRecord = {
  id: 1,
  plate: '粤B·D5678',
  vin: 'LVGBE40K28G123456',
  model: 'Camry',
  mileageKm: 40_000,
  maintenanceDueDate: null,
  maintenanceDueKm: null,
  inspectionDue: null,
  insuranceExpiry: null,
  recommended: [],
};

describe('reminders', () => {
  it('takes the store\'s local date, not UTC', () => {
    expect(localDate(new Date('2025-03-01T17:00:00Z'), 'Asia/Shanghai')).toBe('2025-03-02');
    expect(localDate(new Date('2025-03-01T17:00:00Z'), 'UTC')).toBe('2025-03-01');
  });

  it('shows what is due within the window or overdue, in a fixed order', () => {
    const v = { ...vehicle, maintenanceDueDate: '2025-03-20', inspectionDue: '2025-02-20', insuranceExpiry: '2025-06-01' };
    expect(remindersFor(v, '2025-03-01')).toEqual([
      { kind: 'maintenance', dueDate: '2025-03-20', dueKm: null, overdue: false },
      { kind: 'inspection', dueDate: '2025-02-20', overdue: true },
    ]);
    expect(remindersFor(v, '2025-03-01', { days: 100, km: 0 }).map((r) => r.kind)).toEqual(['maintenance', 'inspection', 'insurance']);
  });

  it('reminds of maintenance by mileage too', () => {
    expect(remindersFor({ ...vehicle, maintenanceDueKm: 40_800 }, '2025-03-01')).toEqual([{ kind: 'maintenance', dueDate: null, dueKm: 40_800, overdue: false }]);
    expect(remindersFor({ ...vehicle, maintenanceDueKm: 39_000 }, '2025-03-01')[0]).toMatchObject({ overdue: true });
    expect(remindersFor({ ...vehicle, maintenanceDueKm: 45_000 }, '2025-03-01')).toEqual([]);
  });

  it('greets on the birthday, and on 28 February for 29 February birthdays in other years', () => {
    expect(isBirthday({ birthday: '1980-05-17' }, '2025-05-17')).toBe(true);
    expect(isBirthday({ birthday: '1980-05-17' }, '2025-05-18')).toBe(false);
    expect(isBirthday({ birthday: '1980-02-29' }, '2025-02-28')).toBe(true);
    expect(isBirthday({ birthday: '1980-02-29' }, '2024-02-28')).toBe(false);
    expect(isBirthday({ birthday: '1980-02-29' }, '2024-02-29')).toBe(true);
    expect(isBirthday({ birthday: null }, '2024-02-29')).toBe(false);
  });
});
