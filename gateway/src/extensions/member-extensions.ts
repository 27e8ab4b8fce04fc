import { DeskMemberSessions } from './desk-member-sessions.js';
import type { Extension, ExtensionContext } from './extension.js';
import { KioskCheckIn } from './kiosk-check-in.js';
import { MemberCardIssue } from './member-card-issue.js';
import { memberCardKeys } from './member-card-keys.js';
import { MemberDirectory } from './member-directory.js';
import { MemberFiles } from './member-files.js';
import { MemberService } from './member-service.js';
import { MemberTaps, cardTapCounter } from './member-taps.js';
import { NfcReaders } from './nfc-readers.js';
import type { QueueService } from './queue-service.js';
import { StaffCardService } from './staff-cards.js';

/**
 * Member and staff cards in start order: the member directory before anything that reads it, the
 * services before the taps, and those before the readers publish their first tap.
 */
export function memberExtensions(ctx: ExtensionContext, queue: QueueService, demo: boolean, members = new MemberDirectory(ctx, demo)): Extension[] {
  const keys = memberCardKeys(ctx.config.members);
  const taps = cardTapCounter(ctx);
  const desks = new DeskMemberSessions(ctx, members, queue);
  const staffCards = new StaffCardService(ctx);
  const cardIssue = new MemberCardIssue(ctx, members, keys, desks, taps, demo);
  return [
    new MemberService(members, new MemberFiles(ctx, members), new KioskCheckIn(ctx, members, queue)),
    staffCards,
    cardIssue,
    new MemberTaps(ctx, { members, keys, desks, staffCards, cardIssue, taps }, demo),
    ...(ctx.config.devices.readers.some((r) => r.agent === 'gateway') ? [new NfcReaders(ctx)] : []),
  ];
}
