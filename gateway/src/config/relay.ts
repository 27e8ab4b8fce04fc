import { z } from 'zod';

const Url = (protocols: readonly string[]) =>
  z.url().refine((u) => protocols.includes(new URL(u).protocol), `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);

/**
 * Head office: the store-and-forward relay of the outbox to the dealer group (relay/). Either
 * transport or both; without any, events stay in the outbox for `retentionDays` so a store that
 * is connected later still sends its recent past.
 */
export const RelayConfig = z
  .strictObject({
    /** The dealer group's broker: persistent session, QoS 1, `{topicPrefix}/{storeId}/events/{aggregateType}`. */
    mqtt: z
      .strictObject({
        url: Url(['mqtt:', 'mqtts:', 'ws:', 'wss:']),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        /** CA certificate (PEM path) of the group broker, when it is not a public CA. */
        ca: z.string().min(1).optional(),
        topicPrefix: z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'topic levels without wildcards').default('dealer/v1'),
        /** QoS 1 publishes awaiting PUBACK at once. */
        inFlight: z.number().int().min(1).max(1000).default(100),
      })
      .optional(),
    /** The DMS adapter: batches POSTed to `{url}/events`, changes read from `{url}/changes`. */
    http: z
      .strictObject({
        url: Url(['http:', 'https:']),
        token: z.string().min(8),
        batchSize: z.number().int().min(1).max(1000).default(200),
        timeoutMs: z.number().int().min(500).max(120_000).default(10_000),
        /** Consecutive failures that open the circuit; it tries again after `halfOpenAfterMs`. */
        breakAfterFailures: z.number().int().min(1).max(100).default(5),
        halfOpenAfterMs: z.number().int().min(1000).max(3_600_000).default(30_000),
        /** Retry delays grow from `retryMinMs` to `retryMaxMs`, with jitter. */
        retryMinMs: z.number().int().min(10).max(60_000).default(500),
        retryMaxMs: z.number().int().min(100).max(3_600_000).default(60_000),
        /** Inbound changes (members, vehicles, appointments) are fetched this often; 0 turns it off. */
        syncEverySeconds: z.number().int().min(0).max(86_400).default(60),
      })
      .optional(),
    /**
     * Demo mode without `http`: the loopback port of the simulated DMS the demo starts in-process
     * (demo/demo-head-office.ts); 0 takes any free port.
     */
    demoDmsPort: z.number().int().min(0).max(65535).default(0),
    /** How often an idle relay looks for new events. */
    pollMs: z.number().int().min(10).max(60_000).default(250),
    /** Acknowledged events are kept this long (then purged). */
    retentionDays: z.number().int().min(1).max(3650).default(14),
    /**
     * The outbox's size cap. At the cap the oldest acknowledged events are purged first; unsent
     * events are never purged. The alarm goes at `alarmAtPercent` of it.
     */
    capMb: z.number().int().min(16).max(100_000).default(512),
    alarmAtPercent: z.number().int().min(10).max(100).default(50),
  })
  .prefault({});
export type RelayConfig = z.infer<typeof RelayConfig>;
