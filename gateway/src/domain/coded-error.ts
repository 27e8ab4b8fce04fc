/**
 * A request refused before anything changed: a stable machine code that screens translate and
 * logs keep, and a message for people. Each area narrows the code to its own list.
 */
export abstract class CodedError<C extends string> extends Error {
  constructor(
    readonly code: C,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
