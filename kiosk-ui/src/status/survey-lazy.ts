import { useMessages } from '@forecourt/screen-lib/i18n/i18n.svelte.js';
import { survey } from '@forecourt/screen-lib/i18n/survey.js';

// The survey is only for a released car: the status page loads it, and its texts, when it needs them.
useMessages(survey);

export { default as PhoneSurvey } from './PhoneSurvey.svelte';
