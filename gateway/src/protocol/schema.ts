import type { z } from 'zod';
import type { ZodMiniType } from 'zod/mini';

/**
 * A payload's schema, classic zod or zod/mini (what the phone's status page parses, i18n.ts):
 * both parse with `safeParse` and infer with `z.infer`.
 */
export type AnySchema = z.ZodType | ZodMiniType;
