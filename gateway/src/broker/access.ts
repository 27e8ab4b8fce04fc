import type { IncomingMessage } from 'node:http';
import type { AuthenticateError, AuthenticateHandler, AuthorizeSubscribeHandler, Client } from 'aedes';
import type { Logger } from 'pino';
import type { Identified, Identity } from '../identity/identity.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { GATEWAY, maySubscribe, PUBLIC, type Principal } from '../protocol/index.js';
import { parseToken } from '../domain/identity/index.js';

/** MQTT CONNACK return codes of 3.1.1 (section 3.2.2.3). */
const IDENTIFIER_REJECTED = 2;
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

const SESSION_COOKIE = /(?:^|;\s*)forecourt_session=([^;]+)/;
/** Signed-in desk consoles connect with a client id of their own choosing under this prefix. */
export const STAFF_CLIENT_PREFIX = 'staff-';

/**
 * Who each MQTT connection is. A device proves itself with username = its id, password = its
 * token, and must use its id as client id (so nobody can take over another device's session); a
 * signed-in desk console brings the session cookie on its WebSocket upgrade. Outside demo mode
 * anything else is refused; in demo mode an anonymous client is `public` and reads only the
 * store's name and the gateway's status. Whoever it is, a client asking for a persistent session
 * (clean session off) is refused.
 */
export class BrokerAccess {
  private readonly identities = new WeakMap<Client, Identified>();
  private readonly clients = new Set<Client>();

  constructor(
    private readonly identity: Identity,
    private readonly storeId: string,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
  ) {}

  principal(client: Client | null): Principal {
    return client ? (this.identities.get(client)?.principal ?? PUBLIC) : GATEWAY;
  }

  readonly authenticate: AuthenticateHandler = (client, username, password, done) => {
    const refuse = (code: number, reason: string, why: string) => {
      this.metrics.invalidDropped.inc({ reason });
      this.log.warn({ client: client.id, username, code, why }, 'MQTT connection refused');
      const err = new Error(why) as AuthenticateError;
      err.returnCode = code;
      done(err, false);
    };
    const result = this.identify(client, username, password);
    if (result === IDENTIFIER_REJECTED) return refuse(result, 'client-id-refused', 'client id must be the device id');
    if (typeof result === 'number') return refuse(result, 'auth-refused', 'bad credentials');
    // A persistent session (clean session off) would have aedes keep every QoS 1 message for the
    // client while it is away, in memory and without bound: a dispenser unplugged for a month would
    // grow the gateway by a month of traffic. Every screen and device here starts from retained state.
    if (!client.clean) return refuse(IDENTIFIER_REJECTED, 'persistent-session-refused', 'persistent sessions are not kept: connect with clean session on');
    this.identities.set(client, result);
    this.clients.add(client);
    done(null, true);
  };

  readonly authorizeSubscribe: AuthorizeSubscribeHandler = (client, sub, done) => {
    const decision = maySubscribe(this.principal(client), sub.topic, this.storeId);
    if (decision.ok) return done(null, sub);
    this.metrics.invalidDropped.inc({ reason: 'subscribe-refused' });
    this.log.warn({ client: client?.id, filter: sub.topic, reason: decision.reason }, 'subscription refused');
    // A null subscription is answered with 0x80 (failure) in the SUBACK.
    done(null, null as never);
  };

  forget(client: Client): void {
    this.clients.delete(client);
  }

  /** Closes the live connections of a revoked device or an ended staff session at once. */
  disconnect(match: { deviceId?: string; sessionHash?: string }): void {
    for (const client of this.clients) {
      const found = this.identities.get(client);
      const principal = found?.principal;
      const hit =
        (match.deviceId !== undefined && principal?.kind === 'device' && principal.id === match.deviceId) ||
        (match.sessionHash !== undefined && found?.sessionHash === match.sessionHash);
      if (hit) {
        this.log.info({ client: client.id }, 'credentials revoked: connection closed');
        client.close();
      }
    }
  }

  private identify(client: Client, username: string | undefined, password: Buffer | undefined): Identified | number {
    if (username !== undefined) {
      const token = parseToken(password?.toString('utf8') ?? '');
      const principal = token?.kind === 'fcd' && token.id === username ? this.identity.device(username, token.secret) : undefined;
      if (!principal) return BAD_CREDENTIALS;
      return client.id === principal.id ? { principal } : IDENTIFIER_REJECTED;
    }
    const cookie = SESSION_COOKIE.exec((client.req as IncomingMessage | undefined)?.headers?.cookie ?? '')?.[1];
    if (cookie) {
      const session = this.identity.session(decodeURIComponent(cookie));
      if (!session) return BAD_CREDENTIALS;
      return client.id.startsWith(STAFF_CLIENT_PREFIX) ? session : IDENTIFIER_REJECTED;
    }
    return this.identity.demo ? { principal: PUBLIC } : NOT_AUTHORIZED;
  }
}
