import { randomUUID } from 'node:crypto';
import type { Aedes, AedesPublishPacket } from 'aedes';

/**
 * A message from the broker to itself, on a `$SYS` topic no client may read: true when it came
 * back within `timeoutMs`, so the broker's publish path (persistence, routing, delivery) answers,
 * not just its listener.
 */
export function brokerEcho(broker: Aedes, timeoutMs: number): Promise<boolean> {
  const topic = `$SYS/${broker.id}/forecourt/echo`;
  const nonce = randomUUID();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      broker.unsubscribe(topic, onEcho, () => resolve(ok));
    };
    function onEcho(packet: AedesPublishPacket, done: () => void): void {
      done();
      if (packet.payload.toString() === nonce) finish(true);
    }
    const timer = setTimeout(() => finish(false), timeoutMs);
    broker.subscribe(topic, onEcho, () => {
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(nonce), qos: 0, retain: false, dup: false }, (err) => {
        if (err) finish(false);
      });
    });
  });
}
