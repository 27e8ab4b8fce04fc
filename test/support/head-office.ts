import { RelayStatus } from '@forecourt/gateway/protocol';
import type { Config } from '@forecourt/gateway';
import { DmsSimulator } from '../../gateway/src/tools/dms-simulator/index.js';
import type { TestGateway } from './gateway.js';
import { waitFor } from './process.js';

/** The bearer token the test DMS expects. */
export const DMS_TOKEN = 'test-dms-token-0123456789';

type HttpRelay = NonNullable<Config['relay']['http']>;

/** The DMS simulator on a free loopback port. */
export async function startDms(): Promise<DmsSimulator> {
  const dms = new DmsSimulator({ token: DMS_TOKEN });
  await dms.listen(0, '127.0.0.1');
  return dms;
}

/**
 * A `configure` for startTestGateway: the relay's HTTP link to the simulator, with retries,
 * circuit and polling short enough for a test, the sync off unless asked for.
 */
export function relayTo(dms: DmsSimulator, http: Partial<HttpRelay> = {}): (config: Config) => void {
  return (config) => {
    config.relay.http = {
      url: dms.url,
      token: DMS_TOKEN,
      batchSize: 200,
      timeoutMs: 500,
      breakAfterFailures: 5,
      halfOpenAfterMs: 1000,
      retryMinMs: 10,
      retryMaxMs: 100,
      syncEverySeconds: 0,
      ...http,
    };
    config.relay.pollMs = 20;
  };
}

export async function relayStatus(gw: TestGateway): Promise<RelayStatus> {
  const res = await fetch(`${gw.httpUrl}/api/relay/status`, { headers: gw.admin });
  if (res.status !== 200) throw new Error(`relay status: HTTP ${res.status}`);
  return RelayStatus.parse(await res.json());
}

/** The HTTP link's line of the status. */
export async function httpLink(gw: TestGateway): Promise<RelayStatus['transports'][number]> {
  const link = (await relayStatus(gw)).transports.find((t) => t.transport === 'http');
  if (!link) throw new Error('no http transport in the relay status');
  return link;
}

/** Waits until the DMS has acknowledged every event of the outbox; the final status. */
export async function drained(gw: TestGateway, timeoutMs = 20_000): Promise<RelayStatus> {
  return waitFor(
    async () => {
      const status = await relayStatus(gw);
      const link = status.transports.find((t) => t.transport === 'http');
      return link && link.backlog === 0 && link.ackedThrough === status.lastSeq ? status : undefined;
    },
    timeoutMs,
    50,
  );
}

/** One sample of a Prometheus counter or gauge on the gateway's /metrics (0 when absent). */
export async function metric(gw: TestGateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}
