import type { Extension, ExtensionContext } from './extension.js';
import { MemberService } from './member-service.js';
import { NfcReaders } from './nfc-readers.js';
import type { QueueService } from './queue-service.js';
import { StaffCardService } from './staff-cards.js';

/** Member and staff cards: the services first, so they listen before the readers publish their first tap. */
export function memberExtensions(ctx: ExtensionContext, queue: QueueService, demo: boolean, members = new MemberService(ctx, queue, demo)): Extension[] {
  const staffCards = new StaffCardService(ctx);
  members.claimTapsWith(staffCards);
  return [staffCards, members, ...(ctx.config.devices.readers.some((r) => r.agent === 'gateway') ? [new NfcReaders(ctx)] : [])];
}
