/**
 * Credentials for the bench's clients, made the way an installer makes them (trust contract,
 * /work/notes/trust-contract.md): before the gateway starts, on its data directory.
 *
 * - Devices: `node gateway/dist/tools/devices-cli.js provision ID --kind KIND --data-dir DIR
 *   [--station S]` prints a connection sheet once; its password line is the token
 *   `fcd.<id>.<secret>`. MQTT login: username = client id = device id, password = the token.
 * - Staff (the desks' HTTP commands): `staff-cli.js token --name N --role R --data-dir DIR` prints
 *   an `fcs.` bearer token once.
 * While a CLI is not built yet (or refuses a kind, e.g. a screen, which the store enrols by a
 * pairing code), the same record is written in-process through the gateway's Identity on that
 * data directory — what the CLI does — and the report says which way each credential was made.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Identity } from '../identity/identity.js';
import { createLogger, openDatabase } from '../index.js';
import type { StaffRole } from '../protocol/index.js';
import type { Member } from './bus-mix.js';

const run = promisify(execFile);
const DEVICES_CLI = fileURLToPath(new URL('../tools/devices-cli.js', import.meta.url));
const STAFF_CLI = fileURLToPath(new URL('../tools/staff-cli.js', import.meta.url));
const INSTALLER = { actor: 'installer:bench-bus', role: 'installer', via: 'bench' };

/** What an MQTT client connects with. */
export interface Login {
  clientId: string;
  username: string;
  password: string;
}

export interface Credentials {
  logins: Map<string, Login>;
  /** Bearer token of a receptionist, for the desks' call-next and finish. */
  staffToken: string;
  /** How the credentials were made: `cli` or `in-process` (the CLI was not there or refused). */
  made: { cli: number; inProcess: number; why: string[] };
}

/** The contract's CLI kind names where they differ from the protocol's device kinds. */
const CLI_KIND: Partial<Record<Member['kind'], string>> = { 'barcode-scanner': 'scanner' };

const tokenOf = (text: string, id: string): string | undefined =>
  new RegExp(`fcd\\.${id.replace(/[-]/g, '\\-')}\\.[A-Za-z0-9_-]{43}`).exec(text)?.[0];

/**
 * Provisions every member (devices and screens) and a staff token on the store's data directory.
 * `useCli: false` writes the same records in-process: on a loaded 2-core machine each CLI start
 * can take seconds.
 */
export async function provisionAll(dataDir: string, members: readonly Member[], storeId: string, { useCli = true } = {}): Promise<Credentials> {
  const logins = new Map<string, Login>();
  const made: Credentials['made'] = { cli: 0, inProcess: 0, why: [] };
  const leftover: Member[] = [];
  const cli = useCli && existsSync(DEVICES_CLI);
  if (!existsSync(DEVICES_CLI)) made.why.push('devices-cli.js is not built yet: devices provisioned in-process through Identity.provisionDevice');
  // A few CLI processes at a time (each opens the database; SQLite's busy timeout orders the writes).
  const queue = [...members];
  const worker = async () => {
    for (let member = queue.shift(); member; member = queue.shift()) {
      const token = cli ? await provisionByCli(dataDir, member, made) : undefined;
      if (token) {
        logins.set(member.id, { clientId: member.id, username: member.id, password: token });
        made.cli += 1;
      } else leftover.push(member);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));

  let staffToken = cli && existsSync(STAFF_CLI) ? await staffTokenByCli(dataDir, 'receptionist', made) : undefined;
  if (!existsSync(STAFF_CLI)) made.why.push('staff-cli.js is not built yet: the staff token was issued in-process through Identity.issueStaffToken');
  if (leftover.length > 0 || !staffToken) {
    const db = openDatabase(dataDir);
    try {
      const identity = new Identity(db, { storeId, demo: false, idleTimeoutS: { desk: 1800, bay: 300 }, pairingMinutes: 10 }, () => new Date(), createLogger('silent', false));
      for (const member of leftover) {
        const token = identity.provisionDevice({ id: member.id, kind: member.kind, station: member.station }, INSTALLER);
        logins.set(member.id, { clientId: member.id, username: member.id, password: token });
        made.inProcess += 1;
      }
      staffToken ??= identity.issueStaffToken({ name: 'bench desks', role: 'receptionist' }, INSTALLER);
    } finally {
      db.close();
    }
  }
  return { logins, staffToken, made };
}

/** A bearer token of another staff role on the same data directory: by staff-cli, else in-process. */
export async function staffTokenFor(dataDir: string, role: StaffRole, storeId: string, { useCli = true } = {}): Promise<string> {
  const made: Credentials['made'] = { cli: 0, inProcess: 0, why: [] };
  const byCli = useCli && existsSync(STAFF_CLI) ? await staffTokenByCli(dataDir, role, made) : undefined;
  if (byCli) return byCli;
  const db = openDatabase(dataDir);
  try {
    const identity = new Identity(db, { storeId, demo: false, idleTimeoutS: { desk: 1800, bay: 300 }, pairingMinutes: 10 }, () => new Date(), createLogger('silent', false));
    return identity.issueStaffToken({ name: `bench ${role}`, role }, INSTALLER);
  } finally {
    db.close();
  }
}

async function provisionByCli(dataDir: string, member: Member, made: Credentials['made']): Promise<string | undefined> {
  const kinds = [member.kind, CLI_KIND[member.kind]].filter((k): k is string => k !== undefined);
  let last = '';
  for (const kind of kinds) {
    const args = [DEVICES_CLI, 'provision', member.id, '--kind', kind, '--data-dir', dataDir, ...(member.station ? ['--station', member.station] : [])];
    try {
      const { stdout } = await run(process.execPath, args, { timeout: 30_000 });
      const token = tokenOf(stdout, member.id);
      if (token) return token;
      last = `no fcd.${member.id}. token in its output`;
    } catch (err) {
      last = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n')[0] ?? '';
    }
  }
  made.why.push(`devices-cli refused ${member.id} (${member.kind}): ${last}; provisioned in-process`);
  return undefined;
}

async function staffTokenByCli(dataDir: string, role: StaffRole, made: Credentials['made']): Promise<string | undefined> {
  try {
    const { stdout } = await run(process.execPath, [STAFF_CLI, 'token', '--name', `bench ${role}`, '--role', role, '--data-dir', dataDir], { timeout: 30_000 });
    const token = /fcs\.[a-z0-9-]+\.[A-Za-z0-9_-]{43}/.exec(stdout)?.[0];
    if (token) return token;
    made.why.push('staff-cli printed no fcs. token; issued in-process');
  } catch (err) {
    made.why.push(`staff-cli failed (${(err as Error).message.split('\n')[0]}); token issued in-process`);
  }
  return undefined;
}
