import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TOPIC_ROOT } from '@forecourt/gateway/protocol';
import { makeStoreCertificates } from '../../gateway/src/tools/store-certificates.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { deviceLogin } from '../support/identities.js';
import { describeRealStack } from '../support/real-stack.js';

// TLS one command away: the store CA and certificate `npm run devices -- cert` makes, used for
// HTTPS, WSS and MQTT over TLS, checked by clients that trust only that CA.

describeRealStack('TLS with a store certificate', { binaries: ['openssl'], debian: 'openssl' }, () => {
  let gw: TestGateway;
  let ca: Buffer;

  beforeAll(async () => {
    gw = await startTestGateway({
      configure: (config) => {
        const files = makeStoreCertificates(join(config.dataDir, 'tls'), config.store.id, ['localhost'], ['127.0.0.1']);
        config.tls = { ...files, mqttPort: 0 };
        config.mqtt.plain = false;
        // Listening on every address, as a store does: plain MQTT must still stay on loopback.
        config.mqtt.host = '0.0.0.0';
      },
    });
    ca = readFileSync(join(gw.dataDir, 'tls', 'ca.crt'));
  });

  afterAll(async () => {
    await gw?.dispose();
  });

  const https = (path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = request(`https://127.0.0.1:${gw.gateway.httpPort}${path}`, { ca, method: init.method ?? 'GET', headers: init.headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(init.body);
    });

  it('serves HTTPS that a client trusting only the store CA accepts, with Secure session cookies', async () => {
    expect((await https('/healthz')).status).toBe(200);
    gw.gateway.identity.addStaff({ name: 'TLS Test', role: 'manager', pin: '135790', staffNo: '4001' }, { actor: 'test', role: null, via: null });
    const signIn = await https('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staffNo: '4001', pin: '135790' }) });
    expect(signIn.status).toBe(200);
    expect(String(signIn.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict; Secure|Secure.*HttpOnly|HttpOnly.*Secure/);
    // Without the CA the certificate is not trusted.
    await expect(fetch(`https://127.0.0.1:${gw.gateway.httpPort}/healthz`)).rejects.toThrow();
  });

  it('speaks MQTT over TLS to a provisioned device', async () => {
    const login = deviceLogin(gw.gateway, 'reader-tls', 'nfc-reader');
    const client = await mqtt.connectAsync(`mqtts://localhost:${gw.gateway.mqttTlsPort}`, { ...login, ca, reconnectPeriod: 0 });
    const [grant] = await client.subscribeAsync(`${TOPIC_ROOT}/${gw.config.store.id}/store/info`, { qos: 1 });
    expect(grant?.qos).toBe(1);
    await client.endAsync();
    const untrusted = await mqtt.connectAsync(`mqtts://localhost:${gw.gateway.mqttTlsPort}`, { ...login, reconnectPeriod: 0, connectTimeout: 3000 }).then(
      async (c) => (await c.endAsync(true), 'connected'),
      () => 'refused',
    );
    expect(untrusted).toBe('refused');
  });

  // Needs an address of this machine that is not loopback (a store gateway always has one).
  const external = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
  it.runIf(external)('keeps plain MQTT on loopback only, while MQTT over TLS answers on the network', async () => {
    const reach = (host: string, port: number) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, host, () => (socket.destroy(), resolve('open')));
        socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
    expect(await reach('127.0.0.1', gw.gateway.mqttPort)).toBe('open');
    expect(await reach(external ?? '', gw.gateway.mqttPort)).toBe('ECONNREFUSED');
    expect(await reach(external ?? '', gw.gateway.mqttTlsPort)).toBe('open');
  });

  it('offers MQTT over WSS on the HTTPS port', async () => {
    const login = deviceLogin(gw.gateway, 'board-tls', 'board');
    const client = await mqtt.connectAsync(`wss://localhost:${gw.gateway.httpPort}/mqtt`, { ...login, ca, reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});
