import { z } from 'zod';
import { WhoAmI, type StaffPrincipal } from '@forecourt/gateway/protocol';
import { post, request } from '@forecourt/screen-lib/api.js';
import type { Bus } from '@forecourt/screen-lib/bus.svelte.js';
import { credentials } from '@forecourt/screen-lib/credentials.js';

export type StaffScreen = 'desk' | 'bay';
export type StaffAccessState = 'checking' | 'signed-out' | 'signed-in';
/** Why the sign-in view is showing: the screen says so, so nobody wonders where their work went. */
export type SignedOutReason = 'signed-out' | 'switch' | 'idle' | 'expired';

export type SignInFailure = { code: string; retryAfterS?: number };

/** The gateway's defaults (config `auth.idleTimeoutS`), until it tells the screen its own. */
const DEFAULT_IDLE_S: Record<StaffScreen, number> = { desk: 1800, bay: 300 };
const idleKey = (screen: StaffScreen) => `forecourt.idleTimeoutS.${screen}`;
const TICK_MS = 1000;
/** The gateway hears that someone is at the screen at most this often (its own idle clock). */
const ACTIVITY_PING_MS = 60_000;
/** A warning shows this long before an idle sign-out. */
export const IDLE_WARNING_S = 30;

const Ok = z.object({}).loose();

/**
 * The staff member signed in on this screen (desk console, bay terminal): by staff number and
 * PIN or by a staff card on the screen's reader, held by the HttpOnly session cookie. Signs out
 * when nobody has touched the screen for the idle time (the gateway enforces the same limit), and
 * goes back to the sign-in view whenever a request answers 401 or the broker refuses the session.
 */
export class StaffAccess {
  state = $state<StaffAccessState>('checking');
  principal = $state.raw<StaffPrincipal | undefined>(undefined);
  reason = $state<SignedOutReason | undefined>(undefined);
  idleTimeoutS = $state(0);
  /** Seconds left before an idle sign-out, while the warning shows. */
  idleLeftS = $state<number | undefined>(undefined);

  private lastActivity = Date.now();
  private lastPing = Date.now();
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly unlisten: (() => void)[];
  private readonly touch = () => {
    this.lastActivity = Date.now();
    this.idleLeftS = undefined;
    // Reading is not idling: tell the gateway, whose session clock only counts what people do.
    if (this.state === 'signed-in' && this.lastActivity - this.lastPing >= ACTIVITY_PING_MS) {
      this.lastPing = this.lastActivity;
      void request('/api/auth/activity', Ok, post({}), 'session');
    }
  };

  /** `bus`: the staff session's own bus connection (the desk); a bay's bus belongs to its device. */
  constructor(
    readonly screen: StaffScreen,
    private readonly bus?: Bus,
  ) {
    this.idleTimeoutS = storedIdle(screen);
    this.unlisten = [credentials.onSignInRequired(() => this.ended('expired'))];
    if (bus) this.unlisten.push(bus.onRefused(() => void this.recheck()));
    for (const type of ['pointerdown', 'keydown', 'wheel'] as const) {
      window.addEventListener(type, this.touch, { capture: true, passive: true });
      this.unlisten.push(() => window.removeEventListener(type, this.touch, { capture: true }));
    }
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  /** Who is signed in already (a reload keeps the session). */
  async start(): Promise<void> {
    const me = await request('/api/auth/me', WhoAmI, undefined, 'session');
    if (me.ok && me.body.principal.kind === 'staff') this.signedIn(me.body.principal, me.body.idleTimeoutS);
    else {
      this.state = 'signed-out';
      this.principal = undefined;
    }
  }

  async signIn(staffNo: string, pin: string, desk?: string): Promise<SignInFailure | undefined> {
    const answer = await request('/api/auth/sign-in', WhoAmI, post({ staffNo, pin, screen: this.screen, ...(desk ? { desk } : {}) }), 'session');
    if (!answer.ok) {
      const retry = answer.details?.['retryAfterS'];
      return { code: answer.code, ...(typeof retry === 'number' ? { retryAfterS: retry } : {}) };
    }
    if (answer.body.principal.kind !== 'staff') return { code: 'bad-response' };
    this.signedIn(answer.body.principal, answer.body.idleTimeoutS);
    return undefined;
  }

  /** A staff card tapped on this screen's reader signed someone in (card-sign-in.svelte.ts); the cookie is set. */
  signedInByCard(principal: StaffPrincipal, idleTimeoutS: number): void {
    this.signedIn(principal, idleTimeoutS);
  }

  async signOut(reason: SignedOutReason = 'signed-out'): Promise<void> {
    this.ended(reason);
    await request('/api/auth/sign-out', Ok, post({}), 'session');
  }

  /** The desk this session works at (the gateway checks desk commands against it). */
  async setDesk(desk: string): Promise<string | undefined> {
    const answer = await request('/api/auth/desk', WhoAmI, post({ desk }), 'session');
    if (!answer.ok) return answer.code;
    if (answer.body.principal.kind === 'staff') this.principal = answer.body.principal;
    // The broker learns the session's desk when the connection opens: open a fresh one.
    if (this.bus && this.state === 'signed-in') this.bus.connect(this.bus.staffLogin());
    return undefined;
  }

  has(...roles: StaffPrincipal['role'][]): boolean {
    return this.principal !== undefined && roles.includes(this.principal.role);
  }

  dispose(): void {
    clearInterval(this.ticker);
    for (const off of this.unlisten) off();
  }

  private signedIn(principal: StaffPrincipal, idleTimeoutS: number | undefined): void {
    if (idleTimeoutS) {
      this.idleTimeoutS = idleTimeoutS;
      try {
        localStorage.setItem(idleKey(this.screen), String(idleTimeoutS));
      } catch {
        // The default stands.
      }
    }
    this.principal = principal;
    this.reason = undefined;
    this.state = 'signed-in';
    this.touch();
    this.bus?.connect(this.bus.staffLogin());
  }

  private ended(reason: SignedOutReason): void {
    if (this.state !== 'signed-in') return;
    this.state = 'signed-out';
    this.principal = undefined;
    this.reason = reason;
    this.idleLeftS = undefined;
    this.bus?.disconnect();
  }

  private tick(): void {
    if (this.state !== 'signed-in') return;
    const left = Math.ceil(this.idleTimeoutS - (Date.now() - this.lastActivity) / 1000);
    if (left <= 0) void this.signOut('idle');
    else this.idleLeftS = left <= IDLE_WARNING_S ? left : undefined;
  }

  /** The broker refused the session: find out whether it still stands. */
  private async recheck(): Promise<void> {
    if (this.state !== 'signed-in') return;
    const me = await request('/api/auth/me', WhoAmI, undefined, 'session');
    if (this.state !== 'signed-in') return;
    if (me.ok && me.body.principal.kind !== 'staff') this.ended('expired');
    else setTimeout(() => this.state === 'signed-in' && this.bus?.connect(this.bus.staffLogin()), 5000);
  }
}

function storedIdle(screen: StaffScreen): number {
  try {
    const value = Number(localStorage.getItem(idleKey(screen)));
    return Number.isInteger(value) && value > 0 ? value : DEFAULT_IDLE_S[screen];
  } catch {
    return DEFAULT_IDLE_S[screen];
  }
}
