import type { Aedes } from 'aedes';
import type { DurableOutputs } from '../store/group-commit.js';

interface RetainedStore {
  storeRetained(packet: { cmd: 'publish'; topic: string; payload: Buffer; qos: 0 | 1; retain: true; dup: false }): Promise<void>;
}

/**
 * Replaces a topic's retained message without sending it to the clients subscribed now, so that
 * a screen that subscribes later starts from the current state while the others get a smaller
 * message. Uses the broker's retained store, as aedes' own publish does; like every output of the
 * gateway, only once the commits before it are on disk (store/group-commit.ts).
 */
export async function retainQuietly(broker: Aedes, outputs: DurableOutputs, topic: string, payload: unknown): Promise<void> {
  const store = (broker as unknown as { persistence: RetainedStore }).persistence;
  await outputs.whenDurable();
  await store.storeRetained({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: true, dup: false });
}
