import { DevicePrincipal } from '@forecourt/gateway/protocol';

// Who this screen is, as far as the gateway is concerned. Enrolled screens (kiosk, board, bay) hold
// a device token in localStorage and show it as `Authorization: Bearer …`; signed-in staff screens
// (desk, and the bay's technician) rely on the HttpOnly session cookie the browser sends by itself.

export const DEVICE_TOKEN_KEY = 'forecourt.deviceToken';
/** The device as the gateway last described it, for a start while the gateway is unreachable. */
const DEVICE_KEY = 'forecourt.device';

/** How a screen's HTTP requests prove who they are: its device token, or the staff session cookie. */
export type HttpAuth = 'device' | 'session';

type Listener = () => void;

export class Credentials {
  /** The default for `request()`; each screen sets it once at start-up. */
  httpAuth: HttpAuth = 'device';
  private readonly revokedListeners = new Set<Listener>();
  private readonly signInListeners = new Set<Listener>();

  get deviceToken(): string | undefined {
    return read(DEVICE_TOKEN_KEY);
  }

  /** The device id inside a token `fcd.<deviceId>.<secret>`. */
  get deviceId(): string | undefined {
    const parts = this.deviceToken?.split('.') ?? [];
    return parts.length === 3 && parts[0] === 'fcd' ? parts[1] : undefined;
  }

  /** The device this screen was enrolled as, as last confirmed by the gateway. */
  get device(): DevicePrincipal | undefined {
    try {
      const parsed = DevicePrincipal.safeParse(JSON.parse(read(DEVICE_KEY) ?? 'null'));
      return parsed.success && parsed.data.id === this.deviceId ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Keeps the token an approved enrolment handed over (it is shown once) and the device it stands for. */
  storeDevice(device: DevicePrincipal, token = this.deviceToken): void {
    if (token) write(DEVICE_TOKEN_KEY, token);
    write(DEVICE_KEY, JSON.stringify(device));
  }

  forgetDevice(): void {
    write(DEVICE_TOKEN_KEY, undefined);
    write(DEVICE_KEY, undefined);
  }

  /** The headers that prove who is asking, for a request made the given way. */
  headers(auth: HttpAuth = this.httpAuth): Record<string, string> {
    const token = this.deviceToken;
    if (!token) return {};
    // A signed-in person's request names the enrolled screen it comes from (the audit's "from which device").
    return auth === 'device' ? { authorization: `Bearer ${token}` } : { 'x-forecourt-screen': token };
  }

  /** A revoked or forged device token: the screen has to be enrolled again. */
  onDeviceRevoked(listener: Listener): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** A request that needed a signed-in staff member found none (signed out elsewhere, idle, expired). */
  onSignInRequired(listener: Listener): () => void {
    this.signInListeners.add(listener);
    return () => this.signInListeners.delete(listener);
  }

  /** What a 401 answer means for this screen; `request()` calls it. */
  unauthorized(code: string, sentToken: boolean, auth: HttpAuth): void {
    if (code === 'bad-token' && sentToken) {
      this.forgetDevice();
      for (const listener of [...this.revokedListeners]) listener();
    } else if (code === 'sign-in-required' && auth === 'session') {
      for (const listener of [...this.signInListeners]) listener();
    }
  }
}

/** The page's one set of credentials. */
export const credentials = new Credentials();

function read(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: string | undefined): void {
  try {
    if (value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // A locked-down profile: the screen pairs again after a reload.
  }
}
