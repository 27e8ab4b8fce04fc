#!/usr/bin/env node
/**
 * Staff accounts and integration tokens, against the gateway's data directory:
 *   npm run staff -- add --name "王芳" --role manager [--pin 123456] [--no 1001]
 *   npm run staff -- list
 *   npm run staff -- pin --no 1001 [--pin 654321]
 *   npm run staff -- token --name "DMS sync" --role manager
 *   npm run staff -- tokens
 *   npm run staff -- revoke-token ID
 * PINs and tokens are printed once; only their hashes are stored.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { hashPin, randomPin } from '../domain/identity/index.js';
import { Pin, StaffNo, StaffRole } from '../protocol/index.js';
import { CONSOLE, fail, openIdentity, splitArgs } from './cli-identity.js';

const USAGE = 'usage: npm run staff -- add --name NAME --role ROLE [--pin PIN] [--no N] | list | pin --no N [--pin PIN] | token --name NAME --role ROLE | tokens | revoke-token ID   [--data-dir D] [--config F]';

const { gateway, own } = splitArgs(process.argv.slice(2));
const { values, positionals } = parseArgs({
  args: own,
  allowPositionals: true,
  options: { name: { type: 'string' }, role: { type: 'string' }, pin: { type: 'string' }, no: { type: 'string' } },
});
const [command, arg] = positionals;
const parse = <S extends z.core.$ZodType>(schema: S, value: unknown, flag: string): z.infer<S> => {
  const result = z.safeParse(schema, value);
  if (!result.success) fail(`${flag}: ${result.error.issues[0]?.message ?? 'invalid'}\n${USAGE}`);
  return result.data;
};
const Name = z.string().trim().min(1, 'required').max(40);
const { identity, db } = openIdentity(gateway);

try {
  switch (command) {
    case 'add': {
      const name = parse(Name, values.name, '--name');
      const role = parse(StaffRole, values.role, `--role (${StaffRole.options.join(', ')})`);
      const staffNo = values.no === undefined ? undefined : parse(StaffNo, values.no, '--no');
      if (staffNo && identity.store.staffByNo(staffNo)) fail(`staff number ${staffNo} is taken`);
      const pin = values.pin === undefined ? randomPin() : parse(Pin, values.pin, '--pin');
      const staff = identity.addStaff({ name, role, pin, staffNo }, CONSOLE);
      process.stdout.write(`added ${staff.name} (${staff.role})\n  staff number: ${staff.staffNo}\n  PIN:          ${pin}   (shown once; sign in at the desk with both)\n`);
      break;
    }
    case 'list':
      for (const s of identity.store.listStaff()) process.stdout.write(`${s.staffNo}\t${s.role}\t${s.name}${s.disabledAt ? '\t(disabled)' : ''}\n`);
      break;
    case 'pin': {
      const staffNo = parse(StaffNo, values.no, '--no');
      const pin = values.pin === undefined ? randomPin() : parse(Pin, values.pin, '--pin');
      const done = identity.audit.record(CONSOLE, () => identity.store.setPin(staffNo, hashPin(pin)), () => ({ action: 'staff.pin', target: `staff:${staffNo}` }));
      if (!done) fail(`no staff number ${staffNo}`);
      process.stdout.write(`new PIN for ${staffNo}: ${pin}   (shown once)\n`);
      break;
    }
    case 'token': {
      const name = parse(Name, values.name, '--name');
      const role = parse(StaffRole, values.role, `--role (${StaffRole.options.join(', ')})`);
      const token = identity.issueStaffToken({ name, role }, CONSOLE);
      process.stdout.write(`token for ${name} (${role}), shown once — send it as "Authorization: Bearer <token>":\n${token}\n`);
      break;
    }
    case 'tokens':
      for (const t of identity.store.listTokens()) {
        process.stdout.write(`${t.id}\t${t.role}\t${t.name}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? '-'}${t.revokedAt ? `\trevoked ${t.revokedAt}` : ''}\n`);
      }
      break;
    case 'revoke-token':
      if (!arg) fail(USAGE);
      if (!identity.revokeStaffToken(arg, CONSOLE)) fail(`no active token ${arg}`);
      process.stdout.write(`token ${arg} revoked\n`);
      break;
    default:
      fail(USAGE);
  }
} finally {
  db.close();
}
