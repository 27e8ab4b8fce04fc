import type { Aedes } from 'aedes';

/** Publishes a JSON payload from the gateway itself (bypasses client authorization). */
export function publishJson(broker: Aedes, topic: string, payload: unknown, retain: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    broker.publish(
      { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain, dup: false },
      (err) => (err ? reject(err) : resolve()),
    );
  });
}
