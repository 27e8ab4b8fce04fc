import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

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
