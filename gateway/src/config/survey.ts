import { z } from 'zod';

/** The `survey` section: the customer's survey after a release and the follow-up call (回訪). */
export const SurveyConfig = z
  .object({
    /** Calendar days after the release (in the store's time zone) the follow-up call is due. */
    followUpDays: z.number().int().min(0).max(60).default(3),
    /** Days after the release the customer may still answer the survey. */
    openDays: z.number().int().min(1).max(365).default(30),
  })
  .strict();
export type SurveyConfig = z.infer<typeof SurveyConfig>;
