import { gatewayActor } from '../store/audit-log.js';
import { WorkshopError, type RepairOrder } from '../domain/workshop/index.js';
import type { Extension, ExtensionContext } from '../extensions/extension.js';
import type { WorkshopService } from '../extensions/workshop-service.js';
import type { WorkshopCommandInput } from '../protocol/index.js';
import { WorkshopCommand } from '../protocol/index.js';
import { WorkshopSteps } from './workshop-steps.js';

/** Orders the demo keeps in the workshop at once. */
const OPEN_TARGET = 9;
/** Orders move on a compressed clock (a whole visit takes minutes), so the board changes while one watches. */
const STEP_MS = 6_000;
const ARRIVAL_MS = 45_000;

/**
 * Repair orders of the demo store progressing through the stages over time, through the same
 * commands as the desk and the bays, so the lounge board shows life: receptions, job clocks,
 * pauses for parts, a failed quality check now and then, pick-ups.
 */
export class WorkshopDemo implements Extension {
  readonly name = 'workshop-demo';
  private timers: NodeJS.Timeout[] = [];
  private readonly steps: WorkshopSteps;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly workshop: WorkshopService,
    private readonly random: () => number = Math.random,
  ) {
    this.steps = new WorkshopSteps(random);
  }

  async start(): Promise<void> {
    // A store that opens shows a workshop already at work: new orders, some moved along at once.
    for (let i = this.open().length; i < OPEN_TARGET - 2; i++) await this.arrive();
    for (let i = 0; i < 14; i++) await this.step();
    const every = (ms: number, fn: () => Promise<void>) =>
      this.timers.push(setInterval(() => void fn().catch((err: unknown) => this.ctx.log.warn({ err }, 'workshop demo step failed')), ms));
    every(STEP_MS, () => this.step());
    every(ARRIVAL_MS, async () => {
      if (this.open().length < OPEN_TARGET) await this.arrive();
    });
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.timers = [];
  }

  private open(): RepairOrder[] {
    return this.workshop.engine.ordersOfDay().filter((o) => o.stage !== 'released');
  }

  private async arrive(): Promise<void> {
    await this.run(this.steps.arrival(this.ctx.now().getTime()));
  }

  /** Moves one random open order along the way a workshop would. */
  private async step(): Promise<void> {
    const open = this.open();
    const order = open[Math.floor(this.random() * open.length)];
    const next = order && this.steps.next(order);
    if (next) await this.run(next);
  }

  private async run(input: WorkshopCommandInput): Promise<void> {
    try {
      await this.workshop.execute(WorkshopCommand.parse(input), gatewayActor('demo'));
    } catch (err) {
      // A random plate that is already in, or a full day, is normal in a demo; anything else is a bug.
      if (!(err instanceof WorkshopError)) throw err;
    }
  }
}
