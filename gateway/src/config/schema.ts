import { z } from 'zod';
import {
  DEFAULT_DESKS,
  DEFAULT_FALLBACK_MINUTES,
  DEFAULT_SERVICE_MINUTES,
  DEFAULT_SERVICES,
  DeskConfig,
  QueueLayout,
  ServiceConfig,
} from '../domain/queue/index.js';
import { ID_PATTERN, Language, LocalizedText, ServiceCode } from '../protocol/index.js';
import { DevicesConfig } from './devices.js';
import { WorkshopConfig } from './workshop.js';
import { MembersConfig } from './members.js';
import { RelayConfig } from './relay.js';
import { SurveyConfig } from './survey.js';

/** Bumped when a config file written for an older gateway would be read differently. */
export const CONFIG_VERSION = 1;

const Port = z.number().int().min(0).max(65535);

/** MQTT's own ceiling: a 4-byte remaining length (268,435,455) plus the fixed header. */
const MAX_MQTT_PACKET_BYTES = 268_435_460;

const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. Asia/Shanghai)');

export const ConfigSchema = z
  .object({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
    store: z
      .object({
        id: z.string().regex(ID_PATTERN, 'lower-case letters, digits and dashes, max 32').default('demo'),
        name: z._default(LocalizedText, { 'zh-Hans': '示范店', 'zh-Hant': '示範店', en: 'Demo Store' }),
        language: z._default(Language, 'zh-Hans'),
        timeZone: TimeZone.default('Asia/Shanghai'),
      })
      .strict()
      .prefault({}),
    http: z
      .object({ host: z.string().default('0.0.0.0'), port: Port.default(8080) })
      .strict()
      .prefault({}),
    mqtt: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: Port.default(1883),
        /** Largest accepted publish payload; a bigger one is refused like any invalid payload. */
        maxPayloadBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
        /** Plain (unencrypted) MQTT on `port`; with `tls` set it may be turned off. */
        plain: z.boolean().default(true),
        /** Largest MQTT packet read from a client: a bigger one ends the connection before its body is read. */
        maxPacketBytes: z.number().int().min(2048).max(MAX_MQTT_PACKET_BYTES).default(256 * 1024),
        /** MQTT connections open at once, TCP and WebSocket together, counted from accept (before CONNECT). */
        maxConnections: z.number().int().min(1).max(100_000).default(2000),
        /** PUBLISH packets per second one connection may send, in bursts of up to twice that. */
        maxPublishPerSecond: z.number().int().min(1).max(100_000).default(200),
      })
      .strict()
      // The topic and headers come on top of the payload.
      .refine(({ maxPacketBytes, maxPayloadBytes }) => maxPacketBytes >= maxPayloadBytes + 1024, {
        path: ['maxPacketBytes'],
        message: 'must be at least maxPayloadBytes + 1024 (topic and headers)',
      })
      .prefault({}),
    queue: z
      .object({
        services: z.array(ServiceConfig).default([...DEFAULT_SERVICES]),
        desks: z.array(DeskConfig).default([...DEFAULT_DESKS]),
        /** Local hour the business day starts: ticket numbers restart at 001 then. */
        dayStartHour: z.number().int().min(0).max(12).default(4),
        /** Digits of ticket numbers, A001 or A0001; a day past the last goes on with one more (A1000). */
        numberDigits: z.union([z.literal(3), z.literal(4)]).default(3),
        /** Minutes after a no-show during which the desk can put the ticket back. */
        noShowGraceMin: z.number().int().min(0).max(240).default(30),
        /** Tickets waiting, in all services, from which the desk is told to switch to peak mode. */
        peakThreshold: z.number().int().min(1).max(999).default(15),
        /** Anti-starvation: a ticket waiting this long is called before any priority class. */
        promoteAfterMin: z.number().int().min(1).max(240).default(20),
        /**
         * Waiting-time estimates learn from the store's own tickets; these are where a new store
         * starts, and how much history a restarted gateway learns again.
         */
        waitEstimate: z
          .object({
            /** Minutes a customer takes at a desk, by service code, until the store's own figures take over. */
            serviceMinutes: z.record(ServiceCode, z.number().positive().max(480)).default({ ...DEFAULT_SERVICE_MINUTES }),
            /** For a service not in serviceMinutes. */
            fallbackMinutes: z.number().positive().max(480).default(DEFAULT_FALLBACK_MINUTES),
            /** Days of the queue's stored events learnt again at start. */
            learnDays: z.number().int().min(1).max(30).default(7),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      // Services and desks must fit together (unique prefixes, every service served by a desk).
      .superRefine(({ services, desks, waitEstimate }, ctx) => {
        const layout = QueueLayout.safeParse({ services, desks });
        layout.error?.issues.forEach((issue) => ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message }));
        for (const code of Object.keys(waitEstimate.serviceMinutes)) {
          if (!services.some((s) => s.code === code)) {
            ctx.addIssue({ code: 'custom', path: ['waitEstimate', 'serviceMinutes', code], message: `unknown service ${code}` });
          }
        }
      })
      .prefault({}),
    /**
     * TLS with the store's certificate (PEM files, relative to the config file): HTTPS and WSS on
     * the HTTP port, MQTT over TLS on `mqttPort`. `npm run devices -- cert` makes a store CA and
     * a server certificate for installs without one. Plain MQTT on `mqtt.port` stays for devices
     * that cannot speak TLS; set `mqtt.plain: false` to close it.
     */
    tls: z
      .object({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional(), mqttPort: Port.default(8883) })
      .strict()
      .optional(),
    /** Staff sign-in and screen enrolment. */
    auth: z
      .object({
        /** A signed-in screen with no request for this long signs its staff member out. */
        idleTimeoutS: z
          .object({ desk: z.number().int().min(60).max(86_400).default(1800), bay: z.number().int().min(30).max(86_400).default(300) })
          .strict()
          .prefault({}),
        /** How long a screen's pairing code stays valid. */
        pairingMinutes: z.number().int().min(1).max(60).default(10),
      })
      .strict()
      .prefault({}),
    /** Member cards: keys, VIP levels, reminders (config/members.ts). */
    members: MembersConfig.prefault({}),
    /** Printers and ticket dispensers of the store (config/devices.ts). */
    devices: DevicesConfig.prefault({}),
    /** Repair orders on the lounge board and the bays' scanners (config/workshop.ts). */
    workshop: WorkshopConfig.prefault({}),
    /** Head office: the DMS relay and sync (config/relay.ts). */
    relay: RelayConfig,
    /** The customer's survey and the follow-up call (config/survey.ts). */
    survey: SurveyConfig.prefault({}),
    /**
     * How long the gateway keeps its own logs (extensions/data-retention.ts). Head office gets its
     * copy of the events from the outbox, which has its own retention (relay.retentionDays).
     */
    retention: z
      .object({
        /** Days of queue and workshop events kept; at least queue.waitEstimate.learnDays. */
        eventDays: z.number().int().min(1).max(3650).default(90),
        /** Days a printed or cancelled job keeps its bytes (for Reprint); the row stays. */
        printJobBytesDays: z.number().int().min(1).max(365).default(7),
        /** Days audit rows are kept, counted once head office holds them (never deleted before). */
        auditDays: z.number().int().min(30).max(3650).default(400),
        /** Hours between two runs (and one at start). */
        everyHours: z.number().int().min(1).max(168).default(6),
      })
      .strict()
      .prefault({}),
    /** Copies of the database (extensions/backups.ts): when, where, how many are kept. */
    backup: z
      .object({
        /** Folder of the copies (relative to the config file); default `<dataDir>/backups`. Best on another disk. */
        folder: z.string().min(1).optional(),
        /** The store's local hour of the daily backup. */
        hour: z.number().int().min(0).max(23).default(3),
        /** The newest copy of each of this many last days is kept… */
        keepDaily: z.number().int().min(1).max(366).default(7),
        /** …and of each of this many last weeks. */
        keepWeekly: z.number().int().min(0).max(520).default(4),
      })
      .strict()
      .prefault({}),
    dataDir: z.string().min(1).default('./data'),
    /** `auto`: simulated devices run while no real device is declared. */
    demo: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict()
  // Real cards need the dealer group's key: with the public demo key anyone could make one.
  .superRefine((config, ctx) => {
    if (config.retention.eventDays < config.queue.waitEstimate.learnDays) {
      ctx.addIssue({ code: 'custom', path: ['retention', 'eventDays'], message: `must be at least queue.waitEstimate.learnDays (${config.queue.waitEstimate.learnDays}): the wait estimates relearn those days at start` });
    }
    if (!config.mqtt.plain && !config.tls) ctx.addIssue({ code: 'custom', path: ['mqtt', 'plain'], message: 'plain MQTT can only be turned off when tls is set' });
    if (config.devices.readers.length > 0 && config.members.cardKeys.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['members', 'cardKeys'], message: 'card readers are declared but no card key is set (openssl rand -hex 32)' });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Overrides from the environment and the command line, each with its own schema. */
export const OVERRIDES = {
  httpPort: { env: 'FORECOURT_HTTP_PORT', flag: '--http-port', schema: z.coerce.number().pipe(Port) },
  mqttPort: { env: 'FORECOURT_MQTT_PORT', flag: '--mqtt-port', schema: z.coerce.number().pipe(Port) },
  dataDir: { env: 'FORECOURT_DATA_DIR', flag: '--data-dir', schema: z.string().min(1) },
} as const;
