#!/usr/bin/env node
/**
 * `npm run dms:sim -- [--port 8090] [--host 127.0.0.1] [--token T] [--store FILE] [--members N]
 *   [--fault KIND[=V]]... [--refuse-type TYPE]... [--refuse-seq N]... [--refuse-status 409|422]`
 *
 * The dealer group's DMS adapter on this machine, for a gateway's `relay.http` to talk to. Prints
 * its URL and token, then one line per batch. `--members N` serves N demo members as inbound
 * changes. Faults (see faults.ts): `down=MS`, `slow=MS`, `errors[=RATE]`, `error-status=CODE`,
 * `hang`, `duplicate-replies`, `partial=K`, `garbage=not-json|wrong-shape|too-large|beyond-sent|backwards`.
 * While running: `curl -X POST -H "authorization: Bearer T" -H 'content-type: application/json'
 * -d '{"errorRate":0.5}' URL/_sim/faults` changes them; `GET URL/` shows what arrived.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { demoMembers } from '../../demo/demo-members.js';
import { parseFaultFlags } from './faults.js';
import { DmsSimulator, type BatchSummary } from './server.js';

const Args = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8090),
  host: z.string().min(1).default('127.0.0.1'),
  token: z.string().min(8).optional(),
  store: z.string().min(1).optional(),
  members: z.coerce.number().int().min(0).max(1_000_000).default(0),
  'time-zone': z.string().min(1).default('Asia/Shanghai'),
  'refuse-status': z.coerce.number().pipe(z.union([z.literal(409), z.literal(422)])).default(409),
  'refuse-seq': z.array(z.coerce.number().int().min(1)).default([]),
  'refuse-type': z.array(z.string().min(1)).default([]),
  fault: z.array(z.string().min(1)).default([]),
});

function describe({ storeId, first, last, verdict, fault }: BatchSummary): string {
  const answer = verdict.kind === 'accepted' ? `accepted through ${verdict.acceptedThrough}` : `refused seq ${verdict.rejected.seq} (${verdict.rejected.code})`;
  return `${storeId}  seq ${first}–${last}  +${verdict.stored} stored, ${verdict.duplicates} duplicates  ${answer}${fault ? `  [fault: ${fault}]` : ''}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      store: { type: 'string' },
      members: { type: 'string' },
      'time-zone': { type: 'string' },
      'refuse-status': { type: 'string' },
      'refuse-seq': { type: 'string', multiple: true },
      'refuse-type': { type: 'string', multiple: true },
      fault: { type: 'string', multiple: true },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`dms-sim: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    process.exit(2);
  }
  const args = parsed.data;
  let faults;
  try {
    faults = parseFaultFlags(args.fault);
  } catch (err) {
    process.stderr.write(`dms-sim: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const token = args.token ?? randomBytes(18).toString('base64url');
  const simulator = new DmsSimulator({ token, ...(args.store ? { storeFile: args.store } : {}), onBatch: (b) => process.stdout.write(`${describe(b)}\n`) });
  if (args.members > 0) simulator.changes.addMembers(demoMembers(1, args.members, new Date(), args['time-zone']));
  const url = await simulator.listen(args.port, args.host);
  await simulator.setFaults({ ...faults.patch, refuse: { types: args['refuse-type'], seqs: args['refuse-seq'], status: args['refuse-status'] } });
  process.stdout.write(
    [
      '',
      `  DMS simulator (head office) at ${url}/`,
      `    token    ${token}`,
      `    events   POST ${url}/events      changes  GET ${url}/changes (${simulator.changes.size} waiting)`,
      `    faults   POST ${url}/_sim/faults  e.g. {"errorRate":0.5} or {"downForMs":30000}`,
      '  In the gateway\'s forecourt.config.yaml:',
      '    relay:',
      `      http: { url: "${url}", token: "${token}" }`,
      '',
    ].join('\n') + '\n',
  );
  if (faults.downForMs > 0) {
    await simulator.setFaults({ down: true });
    process.stdout.write(`  down for ${faults.downForMs} ms\n`);
    setTimeout(() => void simulator.setFaults({ down: false }).then(() => process.stdout.write('  up again\n')), faults.downForMs);
  }
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
