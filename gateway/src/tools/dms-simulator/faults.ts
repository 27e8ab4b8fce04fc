import { z } from 'zod';
import type { DmsEvent } from '../../protocol/dms.js';
import type { Refusal } from './received-store.js';

/** Replies that break the contract while the batch is stored all the same. */
export const GARBAGE_KINDS = ['not-json', 'wrong-shape', 'too-large', 'beyond-sent', 'backwards'] as const;
export type GarbageKind = (typeof GARBAGE_KINDS)[number];

/** Events the DMS refuses for good, by type or by seq (as a DMS refuses what it cannot book). */
export const RefusalRule = z.strictObject({
  types: z.array(z.string().min(1)).default([]),
  seqs: z.array(z.number().int().min(1)).default([]),
  status: z.union([z.literal(409), z.literal(422)]).default(409),
  code: z.string().min(1).max(64).default('refused-by-dms'),
});
export type RefusalRule = z.infer<typeof RefusalRule>;

/** Everything that can go wrong at the simulated head office; each stays until changed. */
export const FaultSettings = z.strictObject({
  /** Connection refused: the listener is closed. */
  down: z.boolean(),
  /** Every request waits this long before it is handled. */
  delayMs: z.number().int().min(0).max(600_000),
  /** This fraction of requests (1: every one) is answered `errorStatus`, nothing stored. */
  errorRate: z.number().min(0).max(1),
  errorStatus: z.number().int().min(500).max(599),
  /** Batches are stored but never answered (the answer is lost: the relay times out). */
  hang: z.boolean(),
  /** Each batch is stored but answered with the reply of the batch before it. */
  duplicateReplies: z.boolean(),
  /** Only the first K new events of a batch are stored, and acceptedThrough says so. */
  acceptFirst: z.number().int().min(0).nullable(),
  /** The batch is stored but the reply is broken this way. */
  garbage: z.enum(GARBAGE_KINDS).nullable(),
  refuse: RefusalRule,
});
export type Faults = z.infer<typeof FaultSettings>;

/** A change to the faults: the keys given replace the current ones. */
export const FaultPatch = FaultSettings.partial();
export type FaultPatch = z.input<typeof FaultPatch>;

export const NO_FAULTS: Faults = {
  down: false,
  delayMs: 0,
  errorRate: 0,
  errorStatus: 500,
  hang: false,
  duplicateReplies: false,
  acceptFirst: null,
  garbage: null,
  refuse: RefusalRule.parse({}),
};

/** The refusal the rule gives an event, if any. */
export function refusalOf(rule: RefusalRule, event: DmsEvent): Refusal | undefined {
  if (!rule.types.includes(event.type) && !rule.seqs.includes(event.seq)) return undefined;
  return { status: rule.status, code: rule.code, reason: `the simulated DMS refuses ${event.type} (seq ${event.seq})` };
}

/**
 * `--fault` flags of the CLI: `down=MS`, `slow=MS`, `errors[=RATE]`, `error-status=CODE`, `hang`,
 * `duplicate-replies`, `partial=K`, `garbage=KIND`. Returns the patch and, for `down`, how long.
 */
export function parseFaultFlags(flags: readonly string[]): { patch: FaultPatch; downForMs: number } {
  const patch: Record<string, unknown> = {};
  let downForMs = 0;
  for (const flag of flags) {
    const [name, value] = flag.split('=', 2) as [string, string | undefined];
    const number = () => {
      const n = Number(value);
      if (value === undefined || !Number.isFinite(n)) throw new Error(`--fault ${name} needs a number: ${name}=N`);
      return n;
    };
    switch (name) {
      case 'down':
        downForMs = number();
        break;
      case 'slow':
        patch['delayMs'] = number();
        break;
      case 'errors':
        patch['errorRate'] = value === undefined ? 1 : number();
        break;
      case 'error-status':
        patch['errorStatus'] = number();
        break;
      case 'hang':
        patch['hang'] = true;
        break;
      case 'duplicate-replies':
        patch['duplicateReplies'] = true;
        break;
      case 'partial':
        patch['acceptFirst'] = number();
        break;
      case 'garbage':
        patch['garbage'] = value;
        break;
      default:
        throw new Error(`unknown --fault ${name} (down=MS, slow=MS, errors[=RATE], error-status=CODE, hang, duplicate-replies, partial=K, garbage=${GARBAGE_KINDS.join('|')})`);
    }
  }
  const parsed = FaultPatch.safeParse(patch);
  if (!parsed.success) throw new Error(`--fault: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { patch: parsed.data, downForMs };
}
