import type { OrderStage, WorkshopCommandInput } from '../protocol/index.js';

const PROVINCES = ['粤', '粤', '粤', '湘', '桂', '闽'];
const MODELS = ['Toyota Camry', 'Honda Accord', 'VW Passat', 'BYD Han EV', 'Nissan Sylphy', 'Buick GL8', 'Mazda CX-5', 'Audi A4L'];
const ADVISORS = ['王芳', '李强', '陈静'];
const TECHNICIANS = ['张伟', '刘洋', '赵磊', '孙敏', '周杰'];
const JOBS = ['保养 Oil service', '刹车片 Brake pads', '空调检查 A/C check', '四轮定位 Alignment', '钣喷 Body & paint', '轮胎更换 Tyres'];

/** What a step needs to know of an order: the engine's RepairOrder and the desk's view of it both have it. */
export interface OrderProgress {
  no: string;
  stage: OrderStage;
  jobs: readonly { no: number; state: string }[];
}

/**
 * A workshop's day as commands, shared by the demo store (in-process) and the soak (over HTTP):
 * a car arriving, and the next thing a workshop does with an open order.
 */
export class WorkshopSteps {
  constructor(private readonly random: () => number = Math.random) {}

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

  /** A car checked in, or booked a minute ahead (a quarter of them). */
  arrival(now: number): WorkshopCommandInput {
    const jobs = Array.from({ length: 1 + Math.floor(this.random() * 3) }, () => ({ title: this.pick(JOBS), technicians: [this.pick(TECHNICIANS)] }));
    const vehicle = {
      plate: this.plate(),
      model: this.pick(MODELS),
      advisor: this.pick(ADVISORS),
      customerRef: `demo-${Math.floor(this.random() * 1e6)}`,
      promisedAt: new Date(now + this.promiseMin() * 60_000).toISOString(),
      jobs,
    };
    return this.random() < 0.25 ? { action: 'book', ...vehicle, appointmentAt: new Date(now + 60_000).toISOString() } : { action: 'open', ...vehicle };
  }

  /** The next command for an open order, the way a workshop moves it; undefined once released. */
  next(order: OrderProgress): WorkshopCommandInput | undefined {
    const on = { order: order.no };
    const jobOf = (state: string) => order.jobs.find((j) => j.state === state)?.no;
    switch (order.stage) {
      case 'appointment':
        return { action: 'move', ...on, to: 'reception' };
      case 'reception':
        return { action: 'move', ...on, to: 'dispatched' };
      case 'dispatched':
      case 'rework':
        return { action: 'job-start', ...on, job: order.stage === 'rework' ? (order.jobs[0]?.no ?? 1) : (jobOf('pending') ?? 1) };
      case 'paused': {
        const job = jobOf('paused');
        return job ? { action: 'job-resume', ...on, job } : { action: 'move', ...on, to: 'in-repair' };
      }
      case 'in-repair': {
        const running = jobOf('running');
        const pending = jobOf('pending');
        const paused = jobOf('paused');
        if (running && this.random() < 0.12) return { action: 'job-pause', ...on, job: running, reason: this.random() < 0.6 ? 'parts' : 'approval' };
        if (running) return { action: 'job-finish', ...on, job: running };
        if (paused) return { action: 'job-resume', ...on, job: paused };
        if (pending) return { action: 'job-start', ...on, job: pending };
        return { action: 'move', ...on, to: 'repair-done' };
      }
      case 'repair-done':
        return { action: 'move', ...on, to: 'quality-check' };
      case 'quality-check':
        return { action: 'move', ...on, to: this.random() < 0.1 ? 'rework' : 'washing' };
      case 'washing':
        return { action: 'move', ...on, to: 'settlement' };
      case 'settlement':
        return { action: 'move', ...on, to: 'ready' };
      case 'ready':
        return { action: 'move', ...on, to: 'released' };
      case 'released':
        return undefined;
    }
  }
}
