import { z } from 'zod';
import { DeskId, LocalizedText, ServiceCode, ServicePrefix } from '../../protocol/index.js';

/** A service customers queue for; its prefix starts every ticket number of it. */
export const ServiceConfig = z.object({
  code: ServiceCode,
  prefix: ServicePrefix,
  name: LocalizedText,
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

/** A reception desk and the services whose tickets it calls. */
export const DeskConfig = z.object({
  id: DeskId,
  /** A full name, or a number shown as "desk 3" / "3号服务台". */
  name: z.union([LocalizedText, z.number().int().positive()]),
  services: z.array(ServiceCode).min(1),
});
export type DeskConfig = z.infer<typeof DeskConfig>;

/** Services and desks together, checked for the mistakes that would break the queue. */
export const QueueLayout = z
  .object({
    services: z.array(ServiceConfig).min(1),
    desks: z.array(DeskConfig).min(1),
  })
  .superRefine(({ services, desks }, ctx) => {
    const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const codes = new Set<string>();
    const prefixes = new Set<string>();
    services.forEach((service, i) => {
      if (codes.has(service.code)) fail(['services', i, 'code'], `duplicate service ${service.code}`);
      // Two services with one prefix would hand out the same ticket number twice a day.
      if (prefixes.has(service.prefix)) fail(['services', i, 'prefix'], `prefix ${service.prefix} is used twice`);
      codes.add(service.code);
      prefixes.add(service.prefix);
    });
    const deskIds = new Set<string>();
    desks.forEach((desk, i) => {
      if (deskIds.has(desk.id)) fail(['desks', i, 'id'], `duplicate desk ${desk.id}`);
      deskIds.add(desk.id);
      desk.services.forEach((code, j) => {
        if (!codes.has(code)) fail(['desks', i, 'services', j], `unknown service ${code}`);
      });
    });
    // Tickets of a service no desk serves would wait forever.
    for (const code of codes) {
      if (!desks.some((desk) => desk.services.includes(code))) fail(['services'], `no desk serves ${code}`);
    }
  });
export type QueueLayout = z.infer<typeof QueueLayout>;

export const DEFAULT_SERVICES: readonly ServiceConfig[] = [
  { code: 'maintenance', prefix: 'A', name: { 'zh-Hans': '保养', 'zh-Hant': '保養', en: 'Maintenance' } },
  { code: 'repair', prefix: 'B', name: { 'zh-Hans': '维修', 'zh-Hant': '維修', en: 'Repair' } },
  { code: 'claims', prefix: 'C', name: { 'zh-Hans': '索赔/保险', 'zh-Hant': '索賠/保險', en: 'Claims & insurance' } },
  { code: 'sales', prefix: 'D', name: { 'zh-Hans': '销售/看车', 'zh-Hant': '銷售/看車', en: 'Sales' } },
  { code: 'pickup', prefix: 'E', name: { 'zh-Hans': '交车/结算', 'zh-Hant': '交車/結算', en: 'Pickup & payment' } },
];

export const DEFAULT_DESKS: readonly DeskConfig[] = [
  { id: '1', name: 1, services: ['maintenance', 'repair', 'claims'] },
  { id: '2', name: 2, services: ['maintenance', 'repair', 'claims'] },
  { id: '3', name: 3, services: ['sales'] },
  { id: '4', name: 4, services: ['pickup', 'claims'] },
];

/** The name a screen shows and speaks for a desk. */
export function deskName(desk: DeskConfig): LocalizedText {
  const { name } = desk;
  if (typeof name !== 'number') return name;
  return { 'zh-Hans': `${name}号服务台`, 'zh-Hant': `${name}號服務台`, en: `desk ${name}` };
}
