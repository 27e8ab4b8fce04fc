import { describe, expect, it } from 'vitest';
import { Gateway, createLogger, loadConfig } from '@forecourt/gateway';

describe('health', () => {
  it('is not healthy before start, nor after stop', async () => {
    const { config } = loadConfig([], {}, '/tmp');
    const gateway = new Gateway(config, { log: createLogger('silent', false) });
    expect(gateway.health()).toEqual({ ok: false, checks: { broker: false, database: false, http: false } });
    await gateway.stop();
    expect(gateway.health().ok).toBe(false);
  });
});
