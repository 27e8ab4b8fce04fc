/**
 * `npm run bench:stall [-- --freeze-s 3] [--json]` (as root: it mounts a file system; needs
 * e2fsprogs' mkfs.ext4 and util-linux's fsfreeze, both on any Debian)
 *
 * What the gateway does while its disk takes no writes: a stalling disk at its worst. Its data
 * lives on a 256 MB ext4 image mounted through a loop device; after 3 s of a desk issuing a ticket
 * every 100 ms, the file system is frozen (`fsfreeze -f`) for `--freeze-s`, then thawed, and the
 * run goes on 3 s. Meanwhile a probe asks `/healthz` every 50 ms: an answer that needs no write.
 *
 * Figures (the last line with --json): healthz_max_ms and healthz_over_100ms (the probe's
 * answers during the whole run), event_loop_lag_max_ms (the gateway's /metrics), tickets (the
 * issues answered) and tickets_failed. A gateway whose writes left its event loop would keep
 * answering /healthz during the freeze; one that writes from its event loop stops with the disk
 * (README, "The disk decides the tails"). No target yet: the figure shows that limit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { staffTokenFor } from './bus-credentials.js';
import { STORE_ID } from './bus-mix.js';
import { startGatewayIn, stopChild } from './gateway-process.js';
import { BenchFailure, runBench } from './run-bench.js';

const IMAGE_MB = 256;
const BEFORE_MS = 3000;
const AFTER_MS = 3000;
const ISSUE_EVERY_MS = 100;
const PROBE_EVERY_MS = 50;

const { values } = parseArgs({ options: { 'freeze-s': { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const freezeS = Number(values['freeze-s']);
const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (n: number) => Math.round(n * 10) / 10;
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

runBench('bench:stall', async () => {
  if (!(freezeS >= 0.5 && freezeS <= 60)) throw new BenchFailure('--freeze-s: 0.5-60');
  if (process.getuid?.() !== 0) throw new BenchFailure('needs root: it mounts an ext4 image through a loop device and freezes it');
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-bench-stall-'));
  const image = join(dir, 'data.ext4');
  const mount = join(dir, 'mnt');
  let mounted = false;
  let frozen = false;
  let gateway: Awaited<ReturnType<typeof startGatewayIn>>['child'] | undefined;
  try {
    writeFileSync(image, '');
    truncateSync(image, IMAGE_MB * 1024 * 1024);
    run('mkfs.ext4', ['-q', '-F', image]);
    mkdirSync(mount);
    run('mount', ['-o', 'loop', image, mount]);
    mounted = true;
    const dataDir = join(mount, 'data');
    const desk = await staffTokenFor(dataDir, 'receptionist', STORE_ID, { useCli: false });
    const manager = await staffTokenFor(dataDir, 'manager', STORE_ID, { useCli: false });
    const started = await startGatewayIn(dataDir, { store: { id: STORE_ID } });
    gateway = started.child;
    const { base } = started;
    say(`bench:stall: gateway pid ${gateway.pid} with its data on a ${IMAGE_MB} MB ext4 image (loop device); freeze ${freezeS} s after ${BEFORE_MS / 1000} s`);

    const t0 = performance.now();
    const endAt = BEFORE_MS + freezeS * 1000 + AFTER_MS;
    const probes: { at: number; ms: number }[] = [];
    const tickets = { answered: 0, failed: 0 };
    const issuing: Promise<void>[] = [];
    const desks = (async () => {
      while (performance.now() - t0 < endAt) {
        issuing.push(
          fetch(`${base}/api/queue/commands`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${desk}` },
            body: JSON.stringify({ action: 'issue', service: 'maintenance', priority: 'regular' }),
          }).then(
            (res) => void (res.ok ? (tickets.answered += 1) : (tickets.failed += 1)),
            () => void (tickets.failed += 1),
          ),
        );
        await sleep(ISSUE_EVERY_MS);
      }
    })();
    const probe = (async () => {
      while (performance.now() - t0 < endAt) {
        const at = performance.now();
        await fetch(`${base}/healthz`).then((r) => r.arrayBuffer(), () => undefined);
        probes.push({ at: at - t0, ms: performance.now() - at });
        await sleep(PROBE_EVERY_MS);
      }
    })();
    await sleep(BEFORE_MS);
    run('fsfreeze', ['-f', mount]);
    frozen = true;
    await sleep(freezeS * 1000);
    run('fsfreeze', ['-u', mount]);
    frozen = false;
    await Promise.all([desks, probe]);
    await Promise.all(issuing);

    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${manager}` } }).then((r) => r.text());
    const lagMax = Number(/^forecourt_event_loop_lag_seconds\{stat="max"\} (\S+)$/m.exec(metrics)?.[1] ?? NaN) * 1000;
    const slowest = Math.max(...probes.map((p) => p.ms));
    const figures = {
      freeze_s: freezeS,
      healthz_max_ms: round(slowest),
      healthz_over_100ms: probes.filter((p) => p.ms > 100).length,
      event_loop_lag_max_ms: round(lagMax),
      tickets: tickets.answered,
      tickets_failed: tickets.failed,
    };
    say(`  /healthz: ${probes.length} probes, slowest ${figures.healthz_max_ms} ms, ${figures.healthz_over_100ms} over 100 ms; the gateway's event loop lag max ${figures.event_loop_lag_max_ms} ms`);
    say(`  tickets issued: ${tickets.answered} answered, ${tickets.failed} failed`);
    if (values.json) say(JSON.stringify(figures));
  } finally {
    if (frozen) run('fsfreeze', ['-u', mount]);
    await stopChild(gateway);
    if (mounted) run('umount', [mount]);
    rmSync(dir, { recursive: true, force: true });
  }
});
