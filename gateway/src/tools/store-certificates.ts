import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A store CA (10 years) and a server certificate it signs (825 days, the most browsers accept),
 * both P-256, made with the system's openssl. Keys are readable by their owner only.
 */
export function makeStoreCertificates(dir: string, storeId: string, hosts: readonly string[], ips: readonly string[]): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (name: string) => join(dir, name);
  const openssl = (args: string[]) => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`openssl ${args[0]} failed (is openssl installed?): ${(err as { stderr?: Buffer }).stderr?.toString() ?? String(err)}`, { cause: err });
    }
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...key, '-keyout', path('ca.key'), '-out', path('ca.crt'), '-days', '3650', '-subj', `/CN=Forecourt store CA ${storeId}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...key, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', `/CN=${hosts[0] ?? 'forecourt'}`]);
  const names = [...hosts.map((h) => `DNS:${h}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(path('server.ext'), `subjectAltName=${names}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n`);
  openssl(['x509', '-req', '-in', path('server.csr'), '-CA', path('ca.crt'), '-CAkey', path('ca.key'), '-CAcreateserial', '-out', path('server.crt'), '-days', '825', '-extfile', path('server.ext')]);
  for (const temp of ['server.csr', 'server.ext', 'ca.srl']) rmSync(path(temp), { force: true });
  chmodSync(path('ca.key'), 0o600);
  chmodSync(path('server.key'), 0o600);
  return { ca: path('ca.crt'), cert: path('server.crt'), key: path('server.key') };
}
