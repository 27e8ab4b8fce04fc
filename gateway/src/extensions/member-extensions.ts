import type { Extension, ExtensionContext } from './extension.js';
import { MemberService } from './member-service.js';
import { NfcReaders } from './nfc-readers.js';
import type { QueueService } from './queue-service.js';

/** Member cards: the service first, so it listens before the readers publish their first tap. */
export function memberExtensions(ctx: ExtensionContext, queue: QueueService, demo: boolean, members = new MemberService(ctx, queue, demo)): Extension[] {
  return [members, ...(ctx.config.devices.readers.some((r) => r.agent === 'gateway') ? [new NfcReaders(ctx)] : [])];
}
