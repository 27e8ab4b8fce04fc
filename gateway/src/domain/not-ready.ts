/** An extension asked before its start() finished (or after stop()): HTTP answers 503 not-ready. */
export class NotReady extends Error {
  override readonly name = 'NotReady';

  constructor(what: string) {
    super(`${what} starting; try again in a moment`);
  }
}
