import { describe, expect, it } from 'vitest';
import { sendOnce, type Answered } from '../../screen-lib/src/command-once.js';

// The screens' side of safe retries: a command whose answer is lost is sent again with the same
// request id, and only then; a refusal or a ticket is an answer and ends it.

const NO_WAIT = [0, 0, 0];
type Result = Answered & { body?: string };

/** A gateway that answers each send with the next of `answers`, noting the request ids it got. */
function gateway(...answers: Result[]): { ids: string[]; send: (id: string) => Promise<Result> } {
  const ids: string[] = [];
  return {
    ids,
    send: async (id) => {
      ids.push(id);
      return answers.shift() ?? { ok: false, code: 'network' };
    },
  };
}

describe('sendOnce', () => {
  it('sends the same request id again after a lost answer, and gives back the ticket it then gets', async () => {
    const gw = gateway({ ok: false, code: 'network' }, { ok: false, code: 'stopping', status: 503 }, { ok: false, code: 'http-502', status: 502 }, { ok: true, body: 'A007' });
    expect(await sendOnce(gw.send, NO_WAIT)).toEqual({ ok: true, body: 'A007' });
    expect(gw.ids).toHaveLength(4);
    expect(new Set(gw.ids).size).toBe(1);
    expect(gw.ids[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('does not retry a refusal, and gives up after its last retry', async () => {
    const refused = gateway({ ok: false, code: 'day-full', status: 409 });
    expect(await sendOnce(refused.send, NO_WAIT)).toMatchObject({ code: 'day-full' });
    expect(refused.ids).toHaveLength(1);

    const down = gateway();
    expect(await sendOnce(down.send, NO_WAIT)).toMatchObject({ code: 'network' });
    expect(down.ids).toHaveLength(4);
  });

  it('gives every new command a new request id', async () => {
    const gw = gateway({ ok: true }, { ok: true });
    await sendOnce(gw.send, NO_WAIT);
    await sendOnce(gw.send, NO_WAIT);
    expect(gw.ids[0]).not.toBe(gw.ids[1]);
  });
});
