import type { FastifyInstance } from 'fastify';
import { registerMemberRoutes, type KioskCheckInApi, type MemberFilesApi } from '../http/member-routes.js';
import type { Extension } from './extension.js';
import type { MemberDirectory } from './member-directory.js';

/**
 * The members for the gateway's run: the directory opened at the start and closed at the stop, and
 * the member API over it (the desk's member files, the kiosk's tickets and check-in).
 */
export class MemberService implements Extension {
  readonly name = 'members';

  constructor(
    private readonly members: MemberDirectory,
    private readonly files: MemberFilesApi,
    private readonly checkIn: KioskCheckInApi,
  ) {}

  async start(): Promise<void> {
    this.members.open();
  }

  async stop(): Promise<void> {
    this.members.close();
  }

  registerRoutes(app: FastifyInstance): void {
    registerMemberRoutes(app, this.files, this.checkIn);
  }
}
