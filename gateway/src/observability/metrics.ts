import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The event loop's delay is sampled by a timer every 10 ms; Node's histogram holds the whole
 * time between two samples, so the interval is subtracted to leave the lag alone.
 */
const LAG_SAMPLE_MS = 10;

/** The gateway's Prometheus metrics, one registry per gateway so tests can run several. */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly messagesIn = new Counter({
    name: 'forecourt_mqtt_messages_in_total',
    help: 'PUBLISH packets received from clients and accepted',
    registers: [this.registry],
  });

  readonly messagesOut = new Counter({
    name: 'forecourt_mqtt_messages_out_total',
    help: 'PUBLISH packets forwarded to subscribed clients',
    registers: [this.registry],
  });

  readonly invalidDropped = new Counter({
    name: 'forecourt_mqtt_invalid_messages_dropped_total',
    help: 'MQTT connections, publishes and subscriptions refused (credentials, access rules, topic tree, payload schema, limits)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly httpRefused = new Counter({
    name: 'forecourt_http_refused_total',
    help: 'HTTP requests refused by the access rules (no identity, wrong identity, bad token, bad origin)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Backups of the database (extensions/backups.ts), by result: ok or the failure's code. */
  readonly backups = new Counter({
    name: 'forecourt_backup_total',
    help: 'Database backups tried, by result (ok, folder-unavailable, copy-failed, integrity-failed, cancelled)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly backupLastSuccess = new Gauge({
    name: 'forecourt_backup_last_success_timestamp_seconds',
    help: 'When the newest checked backup was taken (0: none yet); alert when it is more than a day old',
    registers: [this.registry],
  });

  readonly backupLastBytes = new Gauge({
    name: 'forecourt_backup_last_bytes',
    help: 'Size of the newest checked backup',
    registers: [this.registry],
  });

  readonly backupLastSeconds = new Gauge({
    name: 'forecourt_backup_last_duration_seconds',
    help: 'How long the last backup took, copy and check',
    registers: [this.registry],
  });

  /** The group commit's WAL fsyncs (store/group-commit.ts): every answer and publish after a write waits for one. */
  readonly commitFsyncs = new Histogram({
    name: 'forecourt_commit_fsync_seconds',
    help: 'WAL fsyncs of the group commit and how long each took; an output after a write waits for the one covering it',
    buckets: [0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(sources: { connectedClients: () => number; databaseBytes: () => number }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'forecourt_' });
    new Gauge({
      name: 'forecourt_mqtt_connected_clients',
      help: 'MQTT clients connected now (TCP and WebSocket)',
      registers: [this.registry],
      collect() {
        this.set(sources.connectedClients());
      },
    });
    const lag = monitorEventLoopDelay({ resolution: LAG_SAMPLE_MS });
    lag.enable();
    new Gauge({
      name: 'forecourt_event_loop_lag_seconds',
      help: 'Event loop lag since the previous scrape (stat: p50, p99, max)',
      labelNames: ['stat'] as const,
      registers: [this.registry],
      collect() {
        const seconds = (ns: number) => Math.max(0, ns / 1e6 - LAG_SAMPLE_MS) / 1000;
        if (lag.count > 0) {
          this.set({ stat: 'p50' }, seconds(lag.percentile(50)));
          this.set({ stat: 'p99' }, seconds(lag.percentile(99)));
          this.set({ stat: 'max' }, seconds(lag.max));
        }
        lag.reset();
      },
    });
    new Gauge({
      name: 'forecourt_database_bytes',
      help: 'Size of the SQLite database and its WAL on disk',
      registers: [this.registry],
      collect() {
        this.set(sources.databaseBytes());
      },
    });
  }
}
