import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../../../gateway/src/bench/figures.js';

// The gateway's node flags and environment decide its memory (figures.ts says why each is there): a store
// (the systemd unit), `npm start` and the benchmarks that measure its RSS must start it the same way.

const repo = new URL('../../../', import.meta.url);
const command = `node ${GATEWAY_NODE_FLAGS.join(' ')} gateway/dist/main.js`;

describe('how the gateway is started', () => {
  it('npm start uses the benchmarks’ node flags', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', repo), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start']).toContain(command);
    for (const [name, value] of Object.entries(GATEWAY_ENV)) expect(pkg.scripts['start']).toContain(`${name}=${value} ${command}`);
  });

  it('bench:stats measures the statistics under the gateway’s node flags', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', repo), 'utf8')) as { scripts: Record<string, string> };
    const statsCommand = `node ${GATEWAY_NODE_FLAGS.join(' ')} gateway/dist/bench/stats-bench.js`;
    for (const [name, value] of Object.entries(GATEWAY_ENV)) expect(pkg.scripts['bench:stats']).toContain(`${name}=${value} ${statsCommand}`);
  });

  it('the systemd unit uses the benchmarks’ node flags', () => {
    const unit = readFileSync(new URL('deploy/forecourt.service', repo), 'utf8');
    const execStart = unit.split('\n').find((line) => line.startsWith('ExecStart='));
    expect(execStart).toContain(`/usr/bin/${command} `);
    for (const [name, value] of Object.entries(GATEWAY_ENV)) expect(unit.split('\n')).toContain(`Environment=${name}=${value}`);
  });
});
