import type { Identity } from '../identity/identity.js';
import type { StaffRole } from '../protocol/index.js';

/** The demo store's staff: their PINs are printed in the start banner, so they protect nothing. */
export const DEMO_STAFF: readonly { staffNo: string; name: string; role: StaffRole; pin: string }[] = [
  { staffNo: '1001', name: '王经理 Manager Wang', role: 'manager', pin: '1001' },
  { staffNo: '1002', name: '李接待 Receptionist Li', role: 'receptionist', pin: '1002' },
  { staffNo: '1003', name: '张顾问 Advisor Zhang', role: 'advisor', pin: '1003' },
  { staffNo: '1004', name: '陈技师 Technician Chen', role: 'technician', pin: '1004' },
  { staffNo: '1005', name: '刘调度 Controller Liu', role: 'workshop-controller', pin: '1005' },
  { staffNo: '1006', name: '赵安装 Installer Zhao', role: 'installer', pin: '1006' },
];

/** Adds the demo staff that are missing (a demo database keeps them across restarts). */
export function seedDemoStaff(identity: Identity): void {
  for (const staff of DEMO_STAFF) {
    if (!identity.store.staffByNo(staff.staffNo)) identity.addStaff(staff, { actor: 'gateway', role: null, via: 'demo' });
  }
}
