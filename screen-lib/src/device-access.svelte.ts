import { EnrolPollAnswer, EnrolTicket, WhoAmI, type DevicePrincipal, type EnrolledDevice, type ScreenKind } from '@forecourt/gateway/protocol';
import { post, request } from './api.js';
import type { Bus } from './bus.svelte.js';
import { credentials } from './credentials.js';

/** How often a screen asks whether its pairing code was approved. */
export const POLL_MS = 2000;
/** After a failure to reach the gateway (or a refused bus login that the gateway then confirmed). */
const RETRY_MS = 5000;

export type DeviceAccessState = 'checking' | 'pairing' | 'ready';

/** The code on screen while an installer or manager approves it at the desk. */
export interface PairingCode {
  code: string;
  expiresAt: string;
}

/**
 * Who an enrolled screen (kiosk, board, bay) is. With a device token it checks the token with the
 * gateway and connects to the bus as that device; without one (or once the gateway calls it
 * revoked) it asks to be enrolled, shows the pairing code and polls until someone approves it at
 * the desk ("Devices"), then keeps the token it is handed. A code that expires or is rejected is
 * replaced by a new one. In the demo store the gateway approves at once.
 */
export class DeviceAccess {
  state = $state<DeviceAccessState>('checking');
  device = $state.raw<DevicePrincipal | undefined>(undefined);
  pairing = $state.raw<PairingCode | undefined>(undefined);
  /** Why the screen has no code to show right now (`network`, `too-many-requests`, …). */
  problem = $state<string | undefined>(undefined);

  /** Bumped whenever the screen starts over, so an older loop's answers are dropped. */
  private run = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly unlisten: (() => void)[];

  constructor(
    private readonly bus: Bus,
    readonly kind: ScreenKind,
  ) {
    this.unlisten = [credentials.onDeviceRevoked(() => void this.pair()), bus.onRefused(() => void this.recheck())];
  }

  /** Checks the stored token, or starts pairing. */
  async start(): Promise<void> {
    const run = ++this.run;
    clearTimeout(this.timer);
    if (!credentials.deviceToken) return this.pair();
    // A screen confirmed before connects at once as that device while the gateway checks its token:
    // on a TV box's CPU that check is most of a second of the first render. The broker checks the
    // token itself, and a refused login asks the gateway again (recheck).
    const known = credentials.device;
    if (known) this.ready(known);
    const me = await request('/api/auth/me', WhoAmI, undefined, 'device');
    if (run !== this.run) return;
    if (me.ok && me.body.principal.kind === 'device') return this.confirm(me.body.principal);
    // A refused token was forgotten by `request`, which started pairing already.
    if (!me.ok && me.code === 'bad-token') return;
    if (me.ok) return this.pair();
    // The gateway cannot be reached: run as the device we were (above), the bus retries on its own.
    if (known) return;
    this.state = 'checking';
    this.problem = me.code;
    this.timer = setTimeout(() => void this.start(), RETRY_MS);
  }

  dispose(): void {
    this.run++;
    clearTimeout(this.timer);
    for (const off of this.unlisten) off();
  }

  /** The gateway's word on who this screen is: kept, and the bus logs in again only as another device. */
  private confirm(device: DevicePrincipal): void {
    if (this.state !== 'ready' || this.device?.id !== device.id) return this.ready(device);
    credentials.storeDevice(device);
    this.device = device;
  }

  private ready(device: DevicePrincipal): void {
    const token = credentials.deviceToken;
    if (!token) return void this.pair();
    credentials.storeDevice(device);
    this.device = device;
    this.pairing = undefined;
    this.problem = undefined;
    this.state = 'ready';
    this.bus.connect({ clientId: device.id, username: device.id, password: token });
  }

  /** Asks for a new pairing code and polls it until it is approved, rejected or expires. */
  private async pair(): Promise<void> {
    const run = ++this.run;
    clearTimeout(this.timer);
    this.bus.disconnect();
    credentials.forgetDevice();
    this.device = undefined;
    this.state = 'pairing';
    const ticket = await request('/api/enrol/requests', EnrolTicket, post({ kind: this.kind }), 'session');
    if (run !== this.run) return;
    if (!ticket.ok) {
      this.pairing = undefined;
      this.problem = ticket.code;
      this.timer = setTimeout(() => void this.pair(), RETRY_MS);
      return;
    }
    this.pairing = { code: ticket.body.code, expiresAt: ticket.body.expiresAt };
    this.problem = undefined;
    // The first poll at once: in the demo store the request is approved already.
    await this.poll(run, ticket.body.requestId, ticket.body.pollToken);
  }

  private async poll(run: number, requestId: string, pollToken: string): Promise<void> {
    const answer = await request(`/api/enrol/requests/${encodeURIComponent(requestId)}/poll`, EnrolPollAnswer, post({ pollToken }), 'session');
    if (run !== this.run) return;
    if (answer.ok && answer.body.state === 'approved') {
      credentials.storeDevice(principalOf(answer.body.device), answer.body.token);
      return this.ready(principalOf(answer.body.device));
    }
    const again = !answer.ok ? answer.code !== 'request-not-found' : answer.body.state === 'pending';
    if (!again) return this.pair();
    this.problem = answer.ok ? undefined : answer.code;
    this.timer = setTimeout(() => void this.poll(run, requestId, pollToken), POLL_MS);
  }

  /** The broker refused our login: ask the gateway whether the token still stands. */
  private async recheck(): Promise<void> {
    if (this.state !== 'ready') return;
    const run = this.run;
    const me = await request('/api/auth/me', WhoAmI, undefined, 'device');
    if (run !== this.run || this.state !== 'ready') return;
    if (me.ok && me.body.principal.kind === 'device') {
      const device = me.body.principal;
      this.timer = setTimeout(() => run === this.run && this.ready(device), RETRY_MS);
    } else if (me.ok || me.code !== 'bad-token') {
      // Unreachable, or a gateway that no longer knows the token without calling it bad: try again later.
      this.timer = setTimeout(() => run === this.run && void this.start(), RETRY_MS);
    }
  }
}

function principalOf(device: EnrolledDevice): DevicePrincipal {
  return { kind: 'device', id: device.id, deviceKind: device.kind, name: device.name, ...(device.station ? { station: device.station } : {}) };
}
