import { z } from 'zod';

// A dispenser agent on another PC: it speaks the serial protocol to the dispenser and sends each
// button press to the gateway, which issues the ticket and prints it on the dispenser's printer.

const Timestamp = z.iso.datetime({ offset: true });
const Button = z.number().int().min(1).max(16);
const U16 = z.number().int().min(0).max(65535);

/** `device/{dispenser}/button`: one press; a press sent again (QoS 1 duplicate, reconnect) has the same event id. */
export const DispenserButton = z.strictObject({ event: z.uuid(), button: Button, at: Timestamp });
export type DispenserButton = z.infer<typeof DispenserButton>;

export const DISPENSER_TICKET_RESULTS = ['issued', 'unavailable', 'day-full', 'unknown-button', 'error'] as const;

/** `device/{dispenser}/ticket`: the answer to one press, for the dispenser's display. */
export const DispenserTicket = z.strictObject({
  event: z.uuid(),
  button: Button,
  result: z.enum(DISPENSER_TICKET_RESULTS),
  number: z.string().regex(/^([A-Z]\d{3})?$/),
  peopleAhead: U16,
  minutes: U16,
});
export type DispenserTicket = z.infer<typeof DispenserTicket>;

/** `device/{dispenser}/counts`, retained: people waiting and minutes per button, for its display. */
export const DispenserCounts = z.strictObject({
  counts: z.array(z.strictObject({ button: Button, waiting: U16, minutes: U16 })).max(16),
  at: Timestamp,
});
export type DispenserCounts = z.infer<typeof DispenserCounts>;
