import { randomUUID } from 'node:crypto';

export interface MemberSession {
  id: string;
  role: 'kiosk' | 'desk';
  station: string;
  memberId: number;
  vehicleId: number;
  createdAt: number;
  linkedTicket: string | null;
}

/** How long a tap's session id stays good: enough for a customer at the kiosk or an advisor's visit. */
const SESSION_MS = 30 * 60_000;
const MAX_SESSIONS = 1000;

/**
 * Sessions opened by taps, in memory only: a session id on the bus is worth nothing after a
 * restart or half an hour, and never more than the one member it was opened for.
 */
export class MemberSessions {
  private readonly sessions = new Map<string, MemberSession>();

  constructor(private readonly clock: () => number) {}

  open(fields: Omit<MemberSession, 'id' | 'createdAt'>): MemberSession {
    this.prune();
    const session = { ...fields, id: randomUUID(), createdAt: this.clock() };
    this.sessions.set(session.id, session);
    // Maps iterate in insertion order: the first entries are the oldest.
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.sessions.delete(id);
    }
    return session;
  }

  get(id: string): MemberSession | undefined {
    const session = this.sessions.get(id);
    if (session && this.clock() - session.createdAt > SESSION_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(): void {
    const now = this.clock();
    for (const [id, s] of this.sessions) {
      if (now - s.createdAt <= SESSION_MS) break;
      this.sessions.delete(id);
    }
  }
}
