import * as z from 'zod/mini';
import { ID_PATTERN } from './topics.js';

// zod/mini, as everything the phone's status page parses (i18n.ts): its page then carries no
// classic zod, and of zod/mini only the checks these schemas use. Same parse API (`safeParse`).

export const DeviceId = z.string().check(z.regex(ID_PATTERN, 'lower-case letters, digits and dashes, max 32'));

export const DEVICE_KINDS = ['nfc-reader', 'dispenser', 'printer', 'kiosk', 'board', 'desk', 'bay', 'barcode-scanner'] as const;
export const DeviceKind = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof DeviceKind>;
