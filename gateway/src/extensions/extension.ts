import type { Aedes } from 'aedes';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Db } from '../store/database.js';
import type { DurableOutputs } from '../store/group-commit.js';
import type { Identity } from '../identity/identity.js';

/** What every extension may use. Constructors only keep it; `start()` does the work. */
export interface ExtensionContext {
  config: Config;
  broker: Aedes;
  db: Db;
  /** Outputs of the extension's own (printer bytes, events to head office) wait here for the commits before them. */
  outputs: DurableOutputs;
  log: Logger;
  /** Shared Prometheus registry: add a feature's own counters to `metrics.registry`. */
  metrics: GatewayMetrics;
  /** The port the broker's TCP listener is bound to (known only after listen). */
  mqttPort: () => number;
  now: () => Date;
  /** Who is who: principals, credentials of in-process agents, the audit log. */
  identity: Identity;
}

/** A small piece of the gateway with its own start and stop; one that fails is logged, not fatal. */
export interface Extension {
  readonly name: string;
  start(): Promise<void>;
  /** Removes its own listeners and timers. */
  stop(): Promise<void>;
  /** HTTP routes of the extension, registered before the server listens (answer 503 until started). */
  registerRoutes?(app: FastifyInstance): void;
}
