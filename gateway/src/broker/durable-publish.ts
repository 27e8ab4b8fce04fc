import type { Aedes, PublishPacket } from 'aedes';
import type { DurableOutputs } from '../store/group-commit.js';

type Done = (error?: Error) => void;
/** aedes' publish as it runs: its types name only (packet, done); the broker itself passes the sending client. */
type RoutedPublish = (packet: PublishPacket, client: unknown, done?: Done) => void;

/**
 * Every publish of the gateway itself (the ones without a client: publishJson, the extensions'
 * own `broker.publish`) leaves only once the commits made before it are on disk: a screen, a
 * printer's agent or a card writer never acts on a change a power cut can take back. They leave in
 * the order they were published. A client's publish is routed as it comes: it shows no commit.
 *
 * Installed once, on the broker the gateway creates (broker.ts), so no publish site can forget it.
 */
export function holdGatewayPublishes(broker: Aedes, outputs: DurableOutputs): void {
  const publish = (broker.publish as unknown as RoutedPublish).bind(broker);
  const held: RoutedPublish = (packet, client, done) => {
    if (typeof client === 'function') return held(packet, null, client as Done);
    if (client) return publish(packet, client, done);
    outputs.afterDurable(
      () => publish(packet, null, done),
      (err) => done?.(err instanceof Error ? err : new Error(String(err))),
    );
  };
  broker.publish = held as unknown as Aedes['publish'];
}
