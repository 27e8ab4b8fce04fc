import { BenchFailure } from './run-bench.js';

// An enrolled screen as the benches open it: it starts as a paired screen does on every start after
// its first, with its device token and the device the gateway confirmed it as in localStorage
// (screen-lib's credentials.ts), so its page neither pairs nor waits for that check.

/** What a paired screen keeps in localStorage: its device token and the device the gateway confirmed it as. */
export interface PairedScreen {
  token: string;
  device: unknown;
}

/** Asks the gateway at `base` who a provisioned device token stands for, as the screen did when it was paired. */
export async function pairedScreen(base: string, token: string): Promise<PairedScreen> {
  const res = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new BenchFailure(`gateway refused a provisioned device token: HTTP ${res.status}`);
  return { token, device: ((await res.json()) as { principal: unknown }).principal };
}

/** A page init script that puts the paired screen's token and device in localStorage before the screen's scripts run. */
export function pairedScreenScript(screen: PairedScreen): string {
  return `localStorage.setItem('forecourt.deviceToken', ${JSON.stringify(screen.token)}); localStorage.setItem('forecourt.device', ${JSON.stringify(JSON.stringify(screen.device))});`;
}
