import type { QueueCommand } from '@forecourt/gateway/protocol';

export interface CommandAnswer {
  status: number;
  body: {
    event?: { type: string; ticket?: { id: string; number: string; state: string; desk: string | null } };
    ticket?: { id: string; number: string; service: string; state: string; desk: string | null; recallCount: number };
    peopleAhead?: number;
    estimatedWaitMin?: number;
    error?: { code: string; message: string };
  };
}

/**
 * Sends one queue command to a gateway's HTTP API, as the kiosk and desk do, with the sender's
 * credentials: `gw.admin`, `bearer(staffToken(...))` for a desk, `bearer(deviceToken(..., 'kiosk'))` for a kiosk.
 */
export async function command(httpUrl: string, cmd: QueueCommand | Record<string, unknown>, as: Record<string, string>): Promise<CommandAnswer> {
  const res = await fetch(`${httpUrl}/api/queue/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...as },
    body: JSON.stringify(cmd),
  });
  return { status: res.status, body: (await res.json()) as CommandAnswer['body'] };
}
