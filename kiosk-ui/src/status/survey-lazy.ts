import { mount, unmount } from 'svelte';
import { I18n, useMessages } from '@forecourt/screen-lib/i18n/i18n.svelte.js';
import { survey } from '@forecourt/screen-lib/i18n/survey.js';
import type { PageLanguage } from './page-language.js';
import PhoneSurvey from './PhoneSurvey.svelte';

// The survey is only for a released car: the status page loads it, its texts and the Svelte
// runtime its form shares with the kiosk's, when it needs them.
useMessages(survey);

/** Mounts the survey in `target`, in the page's language as it changes; returns the call that removes it. */
export function mountSurvey(target: HTMLElement, token: string, language: PageLanguage): () => void {
  const i18n = new I18n();
  const follow = () => {
    i18n.setStoreDefault(language.storeDefault);
    if (language.chosen) i18n.choose(language.chosen);
  };
  follow();
  const stopFollowing = language.onChange(follow);
  const component = mount(PhoneSurvey, { target, props: { token, i18n } });
  return () => {
    stopFollowing();
    void unmount(component);
  };
}
