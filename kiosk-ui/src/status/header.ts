import { LANGUAGES, type Language, type StoreInfo } from '@forecourt/gateway/protocol';
import type { MessageKey } from '@forecourt/screen-lib/i18n/messages.js';
import { h } from './dom.js';
import type { PageLanguage } from './page-language.js';

const LABELS: Record<Language, string> = { 'zh-Hans': '简', 'zh-Hant': '繁', en: 'EN' };

/**
 * The header bar of ScreenHeader.svelte, drawn for a page without a bus (so no link badge): the
 * store's name, the page's title, the clock in the store's time zone and the language switch.
 */
export class StatusHeader {
  readonly element: HTMLElement;
  private store: StoreInfo | undefined;
  private readonly name = h('strong', { 'data-testid': 'store-name' }, '—');
  private readonly title = h('span', { class: 'title' });
  private readonly clock = h('time');
  private readonly switch = h('div', { class: 'switch', role: 'group' });
  private readonly buttons: HTMLElement[];
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly lang: PageLanguage,
    private readonly titleKey: MessageKey,
  ) {
    this.buttons = LANGUAGES.map((language) => {
      const button = h('button', { type: 'button', lang: language }, LABELS[language]);
      button.addEventListener('click', () => this.lang.choose(language));
      return button;
    });
    this.switch.append(...this.buttons);
    this.element = h('header', {}, h('div', { class: 'name' }, this.name, this.title), h('div', { class: 'right' }, this.clock, this.switch));
  }

  start(): void {
    this.stopListening = this.lang.onChange(() => this.render());
    this.timer = setInterval(() => this.tick(), 1000);
    this.render();
  }

  stop(): void {
    this.stopListening?.();
    clearInterval(this.timer);
  }

  setStore(store: StoreInfo): void {
    this.store = store;
    this.render();
  }

  private render(): void {
    const { lang } = this;
    this.name.textContent = this.store ? this.store.name[lang.language] : '—';
    this.title.textContent = lang.t(this.titleKey);
    this.switch.setAttribute('aria-label', lang.t('language.label'));
    LANGUAGES.forEach((language, i) => this.buttons[i]?.setAttribute('aria-pressed', String(lang.language === language)));
    this.tick();
  }

  private tick(): void {
    const text = this.lang.time(new Date(), this.store?.timeZone);
    if (this.clock.textContent !== text) this.clock.textContent = text;
  }
}
