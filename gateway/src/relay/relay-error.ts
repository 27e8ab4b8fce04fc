/** A relay request the desk made that cannot be done (answered 404/409 by http/refusals.ts). */
export class RelayError extends Error {
  constructor(
    readonly code: 'no-dead-letter' | 'no-transport',
    message: string,
  ) {
    super(message);
  }
}
