import { gatewayActor } from '../store/audit-log.js';
import { WorkshopError, type RepairOrder } from '../domain/workshop/index.js';
import type { Extension, ExtensionContext } from '../extensions/extension.js';
import type { WorkshopService } from '../extensions/workshop-service.js';
import type { WorkshopCommandInput } from '../protocol/index.js';
import { WorkshopCommand } from '../protocol/index.js';

const PROVINCES = ['粤', '粤', '粤', '湘', '桂', '闽'];
const MODELS = ['Toyota Camry', 'Honda Accord', 'VW Passat', 'BYD Han EV', 'Nissan Sylphy', 'Buick GL8', 'Mazda CX-5', 'Audi A4L'];
const ADVISORS = ['王芳', '李强', '陈静'];
const TECHNICIANS = ['张伟', '刘洋', '赵磊', '孙敏', '周杰'];
const JOBS = ['保养 Oil service', '刹车片 Brake pads', '空调检查 A/C check', '四轮定位 Alignment', '钣喷 Body & paint', '轮胎更换 Tyres'];
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

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly workshop: WorkshopService,
    private readonly random: () => number = Math.random,
  ) {}

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

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T;
  }

  private plate(): string {
    const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
    const serial = Array.from({ length: 5 }, (_, i) => (i === 0 || this.random() < 0.3 ? this.pick([...letters]) : String(Math.floor(this.random() * 10)))).join('');
    return `${this.pick(PROVINCES)}${this.pick([...'ABDE'])}·${serial}`;
  }

  /** Most promises are hours ahead (on time); a tight one now and then turns amber, then red. */
  private promiseMin(): number {
    return this.random() < 0.15 ? 8 : 90 + Math.floor(this.random() * 150);
  }

  private async arrive(): Promise<void> {
    const now = this.ctx.now().getTime();
    const jobs = Array.from({ length: 1 + Math.floor(this.random() * 3) }, () => ({ title: this.pick(JOBS), technicians: [this.pick(TECHNICIANS)] }));
    const vehicle = {
      plate: this.plate(),
      model: this.pick(MODELS),
      advisor: this.pick(ADVISORS),
      customerRef: `demo-${Math.floor(this.random() * 1e6)}`,
      promisedAt: new Date(now + this.promiseMin() * 60_000).toISOString(),
      jobs,
    };
    const booked = this.random() < 0.25;
    await this.run(booked ? { action: 'book', ...vehicle, appointmentAt: new Date(now + 60_000).toISOString() } : { action: 'open', ...vehicle });
  }

  /** Moves one random open order along the way a workshop would. */
  private async step(): Promise<void> {
    const open = this.open();
    if (open.length === 0) return;
    const order = this.pick(open);
    const on = { order: order.no };
    const jobOf = (state: string) => order.jobs.find((j) => j.state === state)?.no;
    switch (order.stage) {
      case 'appointment':
        return this.run({ action: 'move', ...on, to: 'reception' });
      case 'reception':
        return this.run({ action: 'move', ...on, to: 'dispatched' });
      case 'dispatched':
      case 'rework':
        return this.run({ action: 'job-start', ...on, job: order.stage === 'rework' ? (order.jobs[0]?.no ?? 1) : (jobOf('pending') ?? 1) });
      case 'paused': {
        const job = jobOf('paused');
        return this.run(job ? { action: 'job-resume', ...on, job } : { action: 'move', ...on, to: 'in-repair' });
      }
      case 'in-repair': {
        const running = jobOf('running');
        const pending = jobOf('pending');
        const paused = jobOf('paused');
        if (running && this.random() < 0.12) return this.run({ action: 'job-pause', ...on, job: running, reason: this.random() < 0.6 ? 'parts' : 'approval' });
        if (running) return this.run({ action: 'job-finish', ...on, job: running });
        if (paused) return this.run({ action: 'job-resume', ...on, job: paused });
        if (pending) return this.run({ action: 'job-start', ...on, job: pending });
        return this.run({ action: 'move', ...on, to: 'repair-done' });
      }
      case 'repair-done':
        return this.run({ action: 'move', ...on, to: 'quality-check' });
      case 'quality-check':
        return this.run({ action: 'move', ...on, to: this.random() < 0.1 ? 'rework' : 'washing' });
      case 'washing':
        return this.run({ action: 'move', ...on, to: 'settlement' });
      case 'settlement':
        return this.run({ action: 'move', ...on, to: 'ready' });
      case 'ready':
        return this.run({ action: 'move', ...on, to: 'released' });
      case 'released':
        return;
    }
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
