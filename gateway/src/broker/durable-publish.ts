import type { Aedes, PublishPacket } from 'aedes';
import type { DurableOutputs } from '../store/group-commit.js';

type Done = (error?: Error) => void;
/** aedes' publish as it runs: its types name only (packet, done); the broker itself passes the sending client. */
type RoutedPublish = (packet: PublishPacket, client: unknown, done?: Done) => void;

/**
 * Every publish of the gateway itself (the ones without a client: publishJson, the extensions'
 * own `broker.publish`) leaves only once the commits made before it are on disk: a screen, a
 * printer's agent or a card writer never acts on a change a power cut can take back. A client's
 * publish is routed as it comes: it shows no commit.
 *
 * They also leave one at a time, each once aedes has handed the one before to its subscribers.
 * DANGER, aedes 1.x (moscajs/aedes#994, #955): aedes numbers each publish when it starts, then a
 * retained or QoS 1 one takes more asynchronous steps than a QoS 0 one; a client that gets a later
 * number first drops the earlier message as a duplicate. Released together after an fsync, a
 * board lost about one call in forty that way (bench:bus). In turn, nothing can overtake.
 *
 * Installed once, on the broker the gateway creates (broker.ts), so no publish site can forget it.
 */
export function holdGatewayPublishes(broker: Aedes, outputs: DurableOutputs): void {
  const publish = (broker.publish as unknown as RoutedPublish).bind(broker);
  const inTurn = new OneAtATime(publish);
  const held: RoutedPublish = (packet, client, done) => {
    if (typeof client === 'function') return held(packet, null, client as Done);
    if (client) return publish(packet, client, done);
    outputs.afterDurable(
      () => inTurn.add(packet, done),
      (err) => done?.(err instanceof Error ? err : new Error(String(err))),
    );
  };
  broker.publish = held as unknown as Aedes['publish'];
}

/** The gateway's publishes in their order, the next started when aedes calls back the one before. */
class OneAtATime {
  private readonly waiting: { packet: PublishPacket; done: Done | undefined }[] = [];
  private busy = false;

  constructor(private readonly publish: RoutedPublish) {}

  add(packet: PublishPacket, done: Done | undefined): void {
    this.waiting.push({ packet, done });
    this.next();
  }

  private next(): void {
    // A loop, not recursion: aedes often calls back before publish() returns.
    while (!this.busy && this.waiting.length > 0) {
      const { packet, done } = this.waiting.shift()!;
      this.busy = true;
      let returned = false;
      this.publish(packet, null, (err) => {
        this.busy = false;
        done?.(err);
        if (returned) this.next();
      });
      returned = true;
    }
  }
}
