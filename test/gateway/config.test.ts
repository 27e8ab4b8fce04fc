import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@forecourt/gateway';

function dir(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'forecourt-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

function problems(fn: () => unknown): { path: string; reason: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('starts from documented defaults without any file', () => {
    const cwd = dir();
    const { config, file } = loadConfig([], {}, cwd);
    expect(file).toBeUndefined();
    expect(config.http.port).toBe(8080);
    expect(config.mqtt.port).toBe(1883);
    expect(config.dataDir).toBe(join(cwd, 'data'));
    expect(config.store.language).toBe('zh-Hans');
  });

  it('reads forecourt.config.yaml and resolves the data dir next to it', () => {
    const cwd = dir({ 'forecourt.config.yaml': 'version: 1\nstore:\n  id: gz-tianhe\n  language: en\ndataDir: var\nhttp:\n  port: 9000\n' });
    const { config, file } = loadConfig([], {}, cwd);
    expect(file).toBe(join(cwd, 'forecourt.config.yaml'));
    expect(config.store.id).toBe('gz-tianhe');
    expect(config.store.language).toBe('en');
    expect(config.http.port).toBe(9000);
    expect(config.dataDir).toBe(join(cwd, 'var'));
  });

  it('lets env override the file and the command line override env', () => {
    const cwd = dir({ 'forecourt.config.json': JSON.stringify({ http: { port: 9000 }, mqtt: { port: 9001 } }) });
    const { config } = loadConfig(['--mqtt-port', '11883'], { FORECOURT_HTTP_PORT: '18080', FORECOURT_MQTT_PORT: '2883', FORECOURT_DATA_DIR: '/tmp/x' }, cwd);
    expect(config.http.port).toBe(18080);
    expect(config.mqtt.port).toBe(11883);
    expect(config.dataDir).toBe('/tmp/x');
  });

  it('reports every problem with its path and reason', () => {
    const cwd = dir({ 'forecourt.config.yaml': 'store:\n  id: "Bad Id"\n  timeZone: Mars/Olympus\nhttp:\n  port: 70000\ncolour: red\n' });
    const found = problems(() => loadConfig([], { FORECOURT_MQTT_PORT: 'abc' }, cwd));
    const paths = found.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['store.id', 'store.timeZone', 'http.port', '(root)', 'FORECOURT_MQTT_PORT']));
    expect(found.find((p) => p.path === 'store.timeZone')?.reason).toMatch(/IANA/);
    expect(found.find((p) => p.path === '(root)')?.reason).toMatch(/colour/);
  });

  it('sets ticket number digits and where wait estimates start, and refuses what cannot be', () => {
    const defaults = loadConfig([], {}, dir()).config.queue;
    expect(defaults.numberDigits).toBe(3);
    expect(defaults.waitEstimate).toEqual({
      serviceMinutes: { maintenance: 12, repair: 15, claims: 20, sales: 25, pickup: 8 },
      fallbackMinutes: 15,
      learnDays: 7,
    });
    const set = dir({ 'forecourt.config.yaml': 'queue:\n  numberDigits: 4\n  waitEstimate:\n    serviceMinutes: { repair: 40 }\n    learnDays: 2\n' });
    expect(loadConfig([], {}, set).config.queue).toMatchObject({ numberDigits: 4, waitEstimate: { serviceMinutes: { repair: 40 }, learnDays: 2 } });
    const digits = dir({ 'forecourt.config.yaml': 'queue:\n  numberDigits: 5\n' });
    expect(problems(() => loadConfig([], {}, digits)).map((p) => p.path)).toEqual(['queue.numberDigits']);
    const unknown = dir({ 'forecourt.config.yaml': 'queue:\n  waitEstimate:\n    serviceMinutes: { tyres: 10 }\n' });
    expect(problems(() => loadConfig([], {}, unknown))).toEqual([{ path: 'queue.waitEstimate.serviceMinutes.tyres', reason: 'unknown service tyres' }]);
  });

  it('refuses a file that is not YAML, and unknown flags', () => {
    const cwd = dir({ 'forecourt.config.yaml': 'store: [unclosed' });
    expect(problems(() => loadConfig([], {}, cwd))[0]?.reason).toMatch(/not valid YAML/);
    expect(problems(() => loadConfig(['--colour', 'red'], {}, dir()))[0]?.path).toBe('command line');
  });

  it('refuses a named config file that does not exist', () => {
    const found = problems(() => loadConfig(['--config', 'missing.yaml'], {}, dir()));
    expect(found[0]?.reason).toMatch(/cannot read/);
  });
});
