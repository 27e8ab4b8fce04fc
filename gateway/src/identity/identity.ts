import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  ACCOUNT_BACKOFF,
  Backoff,
  DUMMY_PIN_HASH,
  SOURCE_BACKOFF,
  hashPin,
  hashSecret,
  newToken,
  pairingCode,
  parseToken,
  randomSecret,
  secretMatches,
  verifyPin,
} from '../domain/identity/index.js';
import {
  authorOf,
  type DeviceKind,
  type DevicePrincipal,
  type EnrolPollAnswer,
  type EnrolTicket,
  type EnrolledDevice,
  type Principal,
  type ScreenKind,
  type SignInRequest,
  type StaffPrincipal,
  type StaffRole,
} from '../protocol/index.js';
import { AuditLog, type Actor } from '../store/audit-log.js';
import type { Db } from '../store/database.js';
import { IdentityStore, type DeviceRow, type StaffRow } from '../store/identity-store.js';

export interface IdentityOptions {
  storeId: string;
  demo: boolean;
  idleTimeoutS: { desk: number; bay: number };
  pairingMinutes: number;
}

export type SignInResult =
  | { ok: true; sessionId: string; principal: StaffPrincipal; idleTimeoutS: number }
  | { ok: false; code: 'bad-credentials' }
  | { ok: false; code: 'too-many-attempts'; retryAfterS: number };

/** What a request or connection proved about itself. */
export interface Identified {
  principal: Principal;
  /** The hash of the staff session it came with, so that signing out closes its connections. */
  sessionHash?: string;
  /** A staff session's idle timeout. */
  idleTimeoutS?: number;
  /** The enrolled screen a signed-in person works at, when it named itself. */
  screen?: DevicePrincipal;
}

type RevocationListener = (match: { deviceId?: string; sessionHash?: string }) => void;

/** Unanswered pairing requests at once, store-wide: a flood of them cannot fill the table. */
const MAX_PENDING_ENROLMENTS = 50;
/** "Last seen" of a device or token is kept to the minute: not a database write per request. */
const LAST_SEEN_RESOLUTION_MS = 60_000;
/** Ended and idle sessions are of no use after this; they are forgotten at the next sign-in. */
const SESSION_RETENTION_MS = 7 * 24 * 3600_000;

/**
 * Who is who: staff sign-in (PIN, sessions, tokens), enrolled screens and provisioned devices, and
 * the audit log. Used by the HTTP hooks and the broker alike, so a principal means the same on
 * every surface.
 */
export class Identity {
  readonly store: IdentityStore;
  readonly audit: AuditLog;
  private readonly sources = new Backoff(() => this.now().getTime(), SOURCE_BACKOFF);
  private readonly accounts = new Backoff(() => this.now().getTime(), ACCOUNT_BACKOFF);
  /** Credentials of the gateway's own device agents (reader links, scanners, demo devices); never stored. */
  private readonly internal = new Map<string, { hash: string; principal: DevicePrincipal }>();
  private readonly revocationListeners = new Set<RevocationListener>();

  constructor(
    db: Db,
    private readonly options: IdentityOptions,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {
    this.store = new IdentityStore(db);
    this.audit = new AuditLog(db, now);
  }

  get demo(): boolean {
    return this.options.demo;
  }

  // Staff

  addStaff(input: { name: string; role: StaffRole; pin: string; staffNo?: string | undefined }, by: Actor): StaffRow {
    const staffNo = input.staffNo ?? this.store.nextStaffNo();
    const row = { id: randomUUID(), staffNo, name: input.name, role: input.role, pinHash: hashPin(input.pin), at: this.now().toISOString() };
    this.audit.record(by, () => this.store.addStaff(row), () => ({ action: 'staff.add', target: `staff:${staffNo}`, detail: { name: input.name, role: input.role } }));
    return { ...row, disabledAt: null };
  }

  async signIn(request: Required<Pick<SignInRequest, 'staffNo' | 'pin' | 'screen'>> & { desk?: string | undefined }, source: string): Promise<SignInResult> {
    const sourceKey = `source:${source}`;
    const accountKey = `account:${request.staffNo}`;
    const wait = Math.max(this.sources.waitMs([sourceKey]), this.accounts.waitMs([accountKey]));
    if (wait > 0) return { ok: false, code: 'too-many-attempts', retryAfterS: Math.ceil(wait / 1000) };
    // Counted as a failure before the slow check and cleared by a right PIN: guesses sent all at
    // once then wait like guesses sent one after another (counted after the await, a thousand
    // parallel guesses all passed the check above). A source already throttled no longer counts
    // against the account: one attacker cannot slow down every account by cycling through them.
    const countAccount = !this.sources.throttled(sourceKey);
    this.sources.fail([sourceKey]);
    if (countAccount) this.accounts.fail([accountKey]);
    const staff = this.store.staffByNo(request.staffNo);
    // An unknown number costs as much as a wrong PIN: no oracle for which staff numbers exist.
    const good = await verifyPin(request.pin, staff?.pinHash ?? DUMMY_PIN_HASH);
    if (!staff || !good || staff.disabledAt) {
      this.audit.write({ actor: 'public', role: null, via: source }, { action: 'auth.sign-in-failed', target: `staff:${request.staffNo}` });
      return { ok: false, code: 'bad-credentials' };
    }
    this.sources.succeed([sourceKey]);
    this.accounts.succeed([accountKey]);
    return this.openSession(staff, { screen: request.screen, desk: request.desk ?? null, source, detail: {} });
  }

  /**
   * A session for the staff member whose card was tapped on the reader of an enrolled screen (the
   * card already checked: http/staff-card-routes.ts). The same session as a PIN sign-in's.
   */
  signInByCard(staff: StaffRow, at: { screen: 'desk' | 'bay'; desk: string | null; source: string; card: number }): Extract<SignInResult, { ok: true }> {
    return this.openSession(staff, { screen: at.screen, desk: at.desk, source: at.source, detail: { card: at.card } });
  }

  private openSession(staff: StaffRow, at: { screen: 'desk' | 'bay'; desk: string | null; source: string; detail: Record<string, unknown> }): Extract<SignInResult, { ok: true }> {
    const sessionId = randomSecret();
    const now = this.now().toISOString();
    this.store.pruneSessions(new Date(this.now().getTime() - SESSION_RETENTION_MS).toISOString());
    const { screen, desk, source } = at;
    this.audit.record(
      { actor: `staff:${staff.staffNo}`, role: staff.role, via: source },
      () => this.store.openSession({ idHash: hashSecret(sessionId), staffId: staff.id, screen, desk, source, at: now }),
      () => ({ action: 'auth.sign-in', target: `staff:${staff.staffNo}`, detail: { screen, desk, ...at.detail } }),
    );
    return { ok: true, sessionId, principal: staffPrincipal(staff, desk, 'session'), idleTimeoutS: this.options.idleTimeoutS[screen] };
  }

  /**
   * The staff member of a session cookie, if it is open and not idle too long. `activity`: the
   * request is the person's own doing (a command, a sign of life from the screen), which keeps the
   * session alive; a screen's background reads and reconnects do not.
   */
  session(sessionId: string, activity = false): Identified | undefined {
    const idHash = hashSecret(sessionId);
    const row = this.store.session(idHash);
    if (!row || row.endedAt || row.staff.disabledAt) return undefined;
    const idleTimeoutS = this.options.idleTimeoutS[row.screen];
    const now = this.now();
    if (now.getTime() - Date.parse(row.lastSeenAt) > idleTimeoutS * 1000) {
      this.store.endSession(idHash, now.toISOString());
      this.notifyRevoked({ sessionHash: idHash });
      return undefined;
    }
    if (activity) this.store.touchSession(idHash, now.toISOString());
    return { principal: staffPrincipal(row.staff, row.desk, 'session'), sessionHash: idHash, idleTimeoutS };
  }

  signOut(sessionId: string): void {
    const idHash = hashSecret(sessionId);
    const row = this.store.session(idHash);
    if (!row || row.endedAt) return;
    this.audit.record(
      { actor: `staff:${row.staff.staffNo}`, role: row.staff.role, via: null },
      () => this.store.endSession(idHash, this.now().toISOString()),
      () => ({ action: 'auth.sign-out', target: `staff:${row.staff.staffNo}` }),
    );
    this.notifyRevoked({ sessionHash: idHash });
  }

  /**
   * Moves a session to another desk. Its open MQTT connection keeps the rights it connected with
   * (the same person's, at the desk they just left) until the console reconnects, which it does.
   */
  setDesk(sessionHash: string, desk: string): void {
    this.store.setSessionDesk(sessionHash, desk);
  }

  issueStaffToken(input: { name: string; role: StaffRole }, by: Actor): string {
    const id = randomUUID().slice(0, 8);
    const { token, hash } = newToken('fcs', id);
    this.audit.record(
      by,
      () => this.store.addToken({ id, name: input.name, role: input.role, secretHash: hash, at: this.now().toISOString() }),
      () => ({ action: 'token.issue', target: `token:${id}`, detail: input }),
    );
    return token;
  }

  revokeStaffToken(id: string, by: Actor): boolean {
    return this.audit.record(by, () => this.store.revokeToken(id, this.now().toISOString()), (done) => ({ action: 'token.revoke', target: `token:${id}`, detail: { done } }));
  }

  // Devices

  /** Credentials for a serial/TCP device or remote agent; the token is shown once, only its hash is kept. */
  provisionDevice(input: { id: string; kind: DeviceKind; name?: string | undefined; station?: string | undefined }, by: Actor): string {
    const { token, hash } = newToken('fcd', input.id);
    this.audit.record(
      by,
      () =>
        this.store.putDevice({ id: input.id, kind: input.kind, name: input.name ?? input.id, station: input.station ?? null, secretHash: hash, at: this.now().toISOString(), by: by.actor }),
      () => ({ action: 'device.provision', target: `device:${input.id}`, detail: { kind: input.kind, station: input.station ?? null } }),
    );
    return token;
  }

  /** In-process agents (reader links, scanners, demo devices) connect with credentials only this process knows. */
  internalCredentials(principal: Omit<DevicePrincipal, 'kind' | 'name'> & { name?: string }): { username: string; password: string; clientId: string } {
    const { token, hash } = newToken('fcd', principal.id);
    this.internal.set(principal.id, { hash, principal: { kind: 'device', name: principal.name ?? principal.id, ...principal } });
    return { username: principal.id, password: token, clientId: principal.id };
  }

  revokeDevice(id: string, by: Actor): EnrolledDevice | undefined {
    const done = this.audit.record(by, () => this.store.revokeDevice(id, this.now().toISOString()), (ok) => ({ action: 'device.revoke', target: `device:${id}`, detail: { ok } }));
    if (done) this.notifyRevoked({ deviceId: id });
    const row = this.store.device(id);
    return row ? publicDevice(row) : undefined;
  }

  /** A bearer token: a device's or a staff integration's. */
  bearer(token: string): Identified | undefined {
    const parsed = parseToken(token);
    if (!parsed) return undefined;
    if (parsed.kind === 'fcd') {
      const device = this.device(parsed.id, parsed.secret);
      return device ? { principal: device } : undefined;
    }
    const row = this.store.token(parsed.id);
    if (!row || row.revokedAt || !secretMatches(parsed.secret, row.secretHash)) return undefined;
    if (this.stale(row.lastUsedAt)) this.store.touchToken(row.id, this.now().toISOString());
    return { principal: { kind: 'staff', staffId: `token:${row.id}`, staffNo: `token-${row.id}`, name: row.name, role: row.role, via: 'token' } };
  }

  /** A device by id and secret, provisioned or in-process; undefined when unknown, wrong or revoked. */
  device(id: string, secret: string): DevicePrincipal | undefined {
    const internal = this.internal.get(id);
    if (internal) return secretMatches(secret, internal.hash) ? internal.principal : undefined;
    const row = this.store.device(id);
    if (!row || row.revokedAt || !row.secretHash || !secretMatches(secret, row.secretHash)) return undefined;
    if (this.stale(row.lastSeenAt)) this.store.touchDevice(id, this.now().toISOString());
    return devicePrincipal(row);
  }

  /** Forgets old sessions and enrolment requests (also done at each sign-in and enrolment; data retention calls it on its schedule). */
  pruneStale(): void {
    const now = this.now().getTime();
    this.store.pruneSessions(new Date(now - SESSION_RETENTION_MS).toISOString());
    this.store.pruneEnrolments(new Date(now - 24 * 3600_000).toISOString());
  }

  listDevices(): EnrolledDevice[] {
    return this.store.listDevices().map(publicDevice);
  }

  // Screen enrolment: a screen shows a code, an installer or manager approves it at the desk.

  requestEnrolment(kind: ScreenKind, source: string): EnrolTicket | undefined {
    const now = this.now();
    // Kept a day past expiry, so a screen still polling one hears "expired", not "not found".
    this.store.pruneEnrolments(new Date(now.getTime() - 24 * 3600_000).toISOString());
    if (this.store.countPending(now.toISOString()) >= MAX_PENDING_ENROLMENTS) return undefined;
    const pollToken = randomSecret();
    const row = {
      id: randomUUID(),
      code: this.freeCode(now.toISOString()),
      kind,
      pollHash: hashSecret(pollToken),
      source,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.options.pairingMinutes * 60_000).toISOString(),
    };
    this.store.addEnrolment(row);
    // The demo store's screens are "already enrolled": the gateway approves them itself.
    // Every demo kiosk stands for the demo's one kiosk reader (station kiosk-1).
    if (this.options.demo) this.approve({ code: row.code, name: `demo ${kind}`, kind, ...(kind === 'kiosk' ? { station: 'kiosk-1' } : {}) }, { actor: 'gateway', role: null, via: 'demo' });
    return { requestId: row.id, code: row.code, pollToken, expiresAt: row.expiresAt };
  }

  pollEnrolment(requestId: string, pollToken: string): EnrolPollAnswer | undefined {
    const row = this.store.enrolment(requestId);
    if (!row || !secretMatches(pollToken, row.pollHash)) return undefined;
    if (row.state === 'pending') return Date.parse(row.expiresAt) < this.now().getTime() ? { state: 'expired' } : { state: 'pending', code: row.code };
    if (row.state !== 'approved' || !row.deviceId) return { state: row.state === 'rejected' ? 'rejected' : 'collected' };
    // The token is made when collected, so it never rests anywhere in clear.
    const { token, hash } = newToken('fcd', row.deviceId);
    this.store.setDeviceSecret(row.deviceId, hash);
    this.store.setEnrolment(row.id, 'collected');
    const device = this.store.device(row.deviceId);
    if (!device) return { state: 'rejected' };
    return { state: 'approved', device: publicDevice(device), token };
  }

  approve(input: { code: string; name: string; kind?: ScreenKind | undefined; station?: string | undefined }, by: Actor): EnrolledDevice | undefined {
    const now = this.now().toISOString();
    const request = this.store.pendingByCode(input.code, now);
    if (!request) return undefined;
    const kind = input.kind ?? request.kind;
    const id = this.freeDeviceId(kind);
    this.audit.record(
      by,
      () => {
        this.store.putDevice({ id, kind, name: input.name, station: input.station ?? null, secretHash: null, at: now, by: by.actor });
        this.store.setEnrolment(request.id, 'approved', id);
      },
      () => ({ action: 'device.enrol', target: `device:${id}`, detail: { kind, name: input.name, station: input.station ?? null, code: input.code } }),
    );
    const row = this.store.device(id);
    return row ? publicDevice(row) : undefined;
  }

  reject(code: string, by: Actor): boolean {
    const request = this.store.pendingByCode(code, this.now().toISOString());
    if (!request) return false;
    this.audit.record(by, () => this.store.setEnrolment(request.id, 'rejected'), () => ({ action: 'device.enrol-rejected', target: null, detail: { code } }));
    return true;
  }

  pendingEnrolments(): { requestId: string; code: string; kind: ScreenKind; createdAt: string; source: string }[] {
    return this.store.pendingEnrolments(this.now().toISOString()).map((r) => ({ requestId: r.id, code: r.code, kind: r.kind, createdAt: r.createdAt, source: r.source }));
  }

  // Revocation reaches live connections through the broker.

  onRevoked(listener: RevocationListener): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  private notifyRevoked(match: { deviceId?: string; sessionHash?: string }): void {
    for (const listener of this.revocationListeners) {
      try {
        listener(match);
      } catch (err) {
        this.log.warn({ err }, 'revocation listener failed');
      }
    }
  }

  private stale(lastSeen: string | null): boolean {
    return lastSeen === null || this.now().getTime() - Date.parse(lastSeen) >= LAST_SEEN_RESOLUTION_MS;
  }

  private freeCode(now: string): string {
    for (;;) {
      const code = pairingCode();
      if (!this.store.pendingByCode(code, now)) return code;
    }
  }

  private freeDeviceId(kind: DeviceKind): string {
    for (let n = 1; ; n++) {
      const id = `${kind}-${n}`;
      if (!this.store.device(id) && !this.internal.has(id)) return id;
    }
  }
}

/** The actor of an audit row for a principal, and the device it acted from. */
export function actorOf(principal: Principal, via?: string | null): Actor {
  const role = principal.kind === 'staff' ? principal.role : principal.kind === 'device' ? principal.deviceKind : null;
  return { actor: authorOf(principal), role, via: via ?? (principal.kind === 'device' ? principal.id : null) };
}

function staffPrincipal(staff: StaffRow, desk: string | null, via: 'session' | 'token'): StaffPrincipal {
  return { kind: 'staff', staffId: staff.id, staffNo: staff.staffNo, name: staff.name, role: staff.role, via, ...(desk ? { desk } : {}) };
}

function devicePrincipal(row: DeviceRow): DevicePrincipal {
  return { kind: 'device', id: row.id, deviceKind: row.kind, name: row.name, ...(row.station ? { station: row.station } : {}) };
}

function publicDevice(row: DeviceRow): EnrolledDevice {
  const { secretHash: _secret, ...device } = row;
  return device;
}
