import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { UiBundle } from './ui-bundles.js';
import type { Identity } from '../identity/identity.js';
import type { StoreInfo } from '../protocol/index.js';
import { installAccessHooks } from './access-hooks.js';
import { installConditionalGets } from './conditional-get.js';
import { registerIdentityRoutes } from './identity-routes.js';
import type { StopGate } from './stop-gate.js';
import type { RequestLedger } from '../store/request-ledger.js';
import type { DurableOutputs } from '../store/group-commit.js';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, boolean>;
}

export interface HttpDeps {
  log: Logger;
  metrics: GatewayMetrics;
  health: () => HealthReport;
  bundles: UiBundle[];
  /** The store's name, language and time zone: public, so a screen can greet before it is enrolled. */
  store: StoreInfo;
  /** The gateway's parts that serve routes of their own (extensions), registered before listening. */
  extensions: readonly RouteSource[];
  identity: Identity;
  /** HTTPS (and so WSS) with the store's certificate. */
  https?: { key: Buffer; cert: Buffer };
  /** Answers 503 once the gateway is stopping (the gateway's; a bench's stand-in goes without). */
  gate?: StopGate;
  /** First answers to commands with a request id (http/request-once.ts); without it commands just run. */
  ledger?: RequestLedger;
  /** Every answer waits until the commits before it are on disk (store/group-commit.ts). */
  outputs: DurableOutputs;
}

/** The server, and the `METHOD url` of every route it registered (each one passed the rule table). */
/** What the server needs of a part that has routes: nothing but their registration. */
export interface RouteSource {
  registerRoutes?(app: FastifyInstance): void;
}

export async function createHttpServer({ log, metrics, health, bundles, store, extensions, identity, https, gate, ledger, outputs }: HttpDeps): Promise<{ app: FastifyInstance; routes: ReadonlySet<string> }> {
  // Request lines would drown the log: only warnings and errors from the HTTP layer.
  const logger = log.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger;
  const app = (https ? Fastify({ loggerInstance: logger, bodyLimit: 16 * 1024, https }) : Fastify({ loggerInstance: logger, bodyLimit: 16 * 1024 })) as unknown as FastifyInstance;

  gate?.install(app);
  // A command's answer (a ticket number, a new stage) is what its caller acts on: never before it is on disk.
  app.addHook('onSend', async (_req, reply, payload) => {
    // A failed fsync: the answer must not leave; the connection ends without one.
    await outputs.whenDurable().catch(() => reply.raw.destroy());
    return payload;
  });
  app.decorate('requestLedger', ledger);
  const routes = await installAccessHooks(app, identity, metrics.httpRefused);
  registerIdentityRoutes(app, identity);
  installConditionalGets(app);

  app.get('/healthz', async (_req, reply) => {
    const report = health();
    return reply.code(report.ok ? 200 : 503).send(report);
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  for (const ext of extensions) ext.registerRoutes?.(app);

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(indexPage(store.name.en, bundles)));
  app.get('/api/store', async () => store);

  let decorated = false;
  for (const bundle of bundles) {
    if (!bundle.root) {
      app.get(`${bundle.prefix}*`, async (_req, reply) =>
        reply.code(503).type('text/plain; charset=utf-8').send(`${bundle.title} is not built: run "npm run build".`),
      );
      continue;
    }
    await app.register(fastifyStatic, {
      root: bundle.root,
      prefix: bundle.prefix,
      decorateReply: !decorated,
      // Hashed assets may be cached forever; index.html must always be fresh after an upgrade.
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      },
    });
    decorated = true;
  }
  // Vite emits shared chunks next to the kiosk pages; serve them from the kiosk-ui build.
  const kiosk = bundles.find((b) => b.prefix === '/kiosk/')?.root;
  if (kiosk) {
    await app.register(fastifyStatic, { root: join(dirname(kiosk), 'assets'), prefix: '/assets/', decorateReply: false });
  }
  return { app, routes };
}

function indexPage(storeName: string, bundles: UiBundle[]): string {
  const links = bundles.map((b) => `<li><a href="${b.prefix}">${b.title}</a></li>`).join('\n      ');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Forecourt — ${escapeHtml(storeName)}</title>
  <style>body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:3rem;line-height:1.8}a{font-size:1.4rem}</style></head>
  <body>
    <h1>Forecourt — ${escapeHtml(storeName)}</h1>
    <ul>
      ${links}
      <li><a href="/healthz">/healthz</a> · <a href="/metrics">/metrics</a></li>
    </ul>
  </body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
