import { TOPIC_ROOT, WorkshopBoard, WorkshopBoardChange, type WorkshopCommand } from '@forecourt/gateway/protocol';
import type { Bus } from '@forecourt/screen-lib/bus.svelte.js';
import { fetchOrders, sendWorkshopCommand, type StaffOrder } from '../../lib/workshop-api.js';

/** Board updates come after every command from anywhere: one refetch per burst. */
const DEBOUNCE_MS = 150;

export interface PanelMessage {
  ok: boolean;
  /** Error code, or the order number the success is about. */
  code: string;
  stage?: StaffOrder['stage'];
  seq: number;
}

/**
 * The desk's view of the workshop: today's orders with everything staff may see (HTTP), refreshed
 * whenever the lounge board's retained message changes on the bus; commands over HTTP, one at a time.
 */
export class WorkshopDesk {
  orders = $state<StaffOrder[]>([]);
  loaded = $state(false);
  selectedNo = $state<string | undefined>(undefined);
  pending = $state(false);
  message = $state<PanelMessage | undefined>(undefined);

  readonly selected = $derived(this.orders.find((o) => o.no === this.selectedNo));
  readonly open = $derived(this.orders.filter((o) => o.stage !== 'released').length);

  private seq = 0;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribe: (() => void)[];

  constructor(bus: Bus) {
    const changed = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.refresh(), DEBOUNCE_MS);
    };
    this.unsubscribe = [
      bus.on(`${TOPIC_ROOT}/+/workshop/board`, WorkshopBoard, changed),
      bus.on(`${TOPIC_ROOT}/+/workshop/board/changes`, WorkshopBoardChange, changed),
    ];
  }

  dispose(): void {
    clearTimeout(this.debounce);
    for (const off of this.unsubscribe) off();
  }

  async refresh(): Promise<void> {
    const result = await fetchOrders();
    if (result.ok) {
      this.orders = result.body.orders;
      this.loaded = true;
    }
  }

  select(no: string | undefined): void {
    this.selectedNo = no;
    this.message = undefined;
  }

  /** Runs one command; resolves true when the gateway accepted it. */
  async run(command: WorkshopCommand): Promise<boolean> {
    if (this.pending) return false;
    this.pending = true;
    try {
      const result = await sendWorkshopCommand(command);
      if (!result.ok) {
        this.message = { ok: false, code: result.code, seq: ++this.seq };
        return false;
      }
      const order = result.body.order;
      this.message = { ok: true, code: order.no, ...(result.body.event.stage ? { stage: result.body.event.stage.to } : {}), seq: ++this.seq };
      this.selectedNo = order.no;
      this.orders = this.orders.some((o) => o.no === order.no) ? this.orders.map((o) => (o.no === order.no ? order : o)) : [...this.orders, order];
      return true;
    } finally {
      this.pending = false;
    }
  }
}
