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
 * They also reach aedes' router one at a time, in their order. DANGER, aedes 1.x
 * (moscajs/aedes#994, #955): aedes numbers each publish when it starts, then a retained or QoS 1
 * one takes more asynchronous steps than a QoS 0 one before it is routed; a client that is handed a
 * later number first drops the earlier message as a duplicate. Released together after an fsync, a
 * board lost about one call in forty that way (bench:bus). So the next publish starts only once
 * the one before has been handed to the router (`mq.emit`), where numbers are checked in the order
 * they are handed over; it does not wait for every subscriber's delivery, which for a QoS 1
 * publish to thirty screens took up to 39 ms (bench:store's probe).
 *
 * Installed once, on the broker the gateway creates (broker.ts), so no publish site can forget it.
 */
export function holdGatewayPublishes(broker: Aedes, outputs: DurableOutputs): void {
  const publish = (broker.publish as unknown as RoutedPublish).bind(broker);
  const numbering = broker as unknown as NumberingBroker;
  const inTurn = new OneAtATime(numbering, publish);
  const router = numbering.mq;
  const emit = router.emit.bind(router);
  router.emit = (packet, done) => {
    emit(packet, done);
    if (packet.brokerCounter !== undefined) inTurn.endTurn(packet.brokerCounter);
  };
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

/** What aedes 1.x has but does not type: its publish counter and its router (an mqemitter). */
interface NumberingBroker {
  counter: number;
  mq: { emit(packet: { brokerCounter?: number }, done?: Done): void };
}

/**
 * The gateway's publishes in their order: the next one starts when the router is handed the one
 * before, or when aedes calls it back (a publish refused before routing is never handed over).
 */
class OneAtATime {
  private readonly waiting: { packet: PublishPacket; done: Done | undefined }[] = [];
  /** The number aedes gave the publish in flight; undefined when none is. */
  private inFlight: number | undefined;
  /** next() is running: a turn that ends inside it lets its loop go on (no recursion). */
  private starting = false;

  constructor(
    private readonly broker: NumberingBroker,
    private readonly publish: RoutedPublish,
  ) {}

  add(packet: PublishPacket, done: Done | undefined): void {
    this.waiting.push({ packet, done });
    if (this.inFlight === undefined && !this.starting) this.next();
  }

  /** Ends the turn of the publish numbered `counter`: aedes routed it or called it back (any other number is ignored). */
  endTurn(counter: number): void {
    if (this.inFlight !== counter) return;
    this.inFlight = undefined;
    if (!this.starting) this.next();
  }

  private next(): void {
    this.starting = true;
    while (this.inFlight === undefined && this.waiting.length > 0) {
      const { packet, done } = this.waiting.shift()!;
      // aedes numbers the packet in publish(), synchronously, with the next counter.
      const counter = this.broker.counter + 1;
      this.inFlight = counter;
      this.publish(packet, null, (err) => {
        done?.(err);
        this.endTurn(counter);
      });
    }
    this.starting = false;
  }
}
