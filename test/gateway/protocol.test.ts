import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkInbound, topics, TOPIC_DEFINITIONS } from '@forecourt/gateway/protocol';
import { renderTopicsDoc } from '../../gateway/src/protocol/docs.js';

const enc = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const state = { kind: 'printer', online: true, health: 'warning', reason: 'paper-low', at: '2026-11-29T09:00:00+08:00' };

describe('protocol', () => {
  it('accepts a valid device state', () => {
    const check = checkInbound(topics.deviceState('demo', 'printer-1'), enc(state));
    expect(check.ok).toBe(true);
  });

  it.each([
    ['unknown topic', 'forecourt/v1/demo/nothing/here', state, 'unknown-topic'],
    ['outside the tree', 'somewhere/else', state, 'unknown-topic'],
    ['bad device id', 'forecourt/v1/demo/device/Printer 1/state', state, 'unknown-topic'],
    ['gateway-owned topic', topics.gatewayStatus('demo'), { online: true, version: '9', startedAt: state.at, demo: false }, 'gateway-only'],
    ['wrong field', topics.deviceState('demo', 'p1'), { ...state, health: 'fine' }, 'bad-payload'],
    ['extra level', `${topics.deviceState('demo', 'p1')}/x`, state, 'unknown-topic'],
    ['not JSON', topics.deviceHeartbeat('demo', 'p1'), '{"at":', 'bad-payload'],
  ])('refuses %s', (_name, topic, payload, kind) => {
    const check = checkInbound(topic, enc(payload));
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.kind).toBe(kind);
  });

  it('names the field that is wrong', () => {
    const check = checkInbound(topics.deviceHeartbeat('demo', 'p1'), enc({ at: state.at, uptimeS: -1 }));
    expect(check.ok ? '' : check.reason).toMatch(/^uptimeS:/);
  });

  it('keeps the firmware writer\'s topic table in step with the code', () => {
    const doc = readFileSync(new URL('../../firmware-config/TOPICS.md', import.meta.url), 'utf8');
    expect(doc, 'run "npm run docs:topics"').toBe(renderTopicsDoc());
    for (const def of TOPIC_DEFINITIONS) expect(doc).toContain(`\`${def.pattern}\``);
  });
});
