import { StoreInfo, waitText, type PublicStatus, type TicketStatusAnswer as TicketStatus } from '@forecourt/gateway/protocol';
import { request, type ApiResult } from '@forecourt/screen-lib/api.js';
import { h, piece, setChildren } from './dom.js';
import { StatusHeader } from './header.js';
import type { PageLanguage } from './page-language.js';
import { fetchStatusByTicket, fetchStatusByToken, fetchTicket } from './status-api.js';

/** The status changes over hours: every 15 s is fresh enough and light on a phone. */
const POLL_MS = 15_000;

/**
 * The customer's phone: one order's stages, timeline and job items, or the queue ticket of a visit
 * whose order is not open yet, and the survey once the car is released.
 *
 * Public: the phone has no credentials and opens no MQTT link (a phone's data and a small page):
 * the store's name and time zone come from /api/store, the order from its HTTP answer, asked again
 * with If-None-Match so that an unchanged order costs a 304.
 */
export class StatusPage {
  private readonly header: StatusHeader;
  private readonly main = h('main', { 'data-testid': 'status-page' });
  private store: StoreInfo | undefined;
  private status: PublicStatus | undefined;
  private ticket: TicketStatus | undefined;
  /** When the shown status was fetched. */
  private fetchedAt: Date | undefined;
  private failure: string | undefined;
  private readonly pieces = { notice: piece(), summary: piece(), timeline: piece(), jobs: piece(), ticket: piece(), updated: piece() };
  /** Present from the ticket's first answer, so a change found by a later poll is read out. */
  private changeRegion: HTMLElement | undefined;
  private survey: { host: HTMLElement; unmount?: () => void } | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopListening: (() => void) | undefined;
  private readonly onVisible = () => document.visibilityState === 'visible' && void this.load();

  constructor(
    private readonly target: HTMLElement,
    private readonly lang: PageLanguage,
    private readonly token: string | undefined,
    private readonly ticketId: string | undefined,
  ) {
    this.header = new StatusHeader(lang, 'ws.status.title');
  }

  start(): void {
    this.target.append(h('div', { class: 'page' }, this.header.element, this.main));
    this.header.start();
    this.stopListening = this.lang.onChange(() => this.render());
    this.render();
    void request('/api/store', StoreInfo).then((answer) => {
      if (!answer.ok) return;
      this.store = answer.body;
      this.header.setStore(answer.body);
      // Renders again (the store's time zone) by the change of language, whether or not it changes.
      this.lang.setStoreDefault(answer.body.language);
    });
    void this.load();
    this.timer = setInterval(() => void this.load(), POLL_MS);
    document.addEventListener('visibilitychange', this.onVisible);
  }

  stop(): void {
    clearInterval(this.timer);
    document.removeEventListener('visibilitychange', this.onVisible);
    this.stopListening?.();
    this.header.stop();
    this.survey?.unmount?.();
  }

  private async load(): Promise<void> {
    await this.fetch();
    this.render();
  }

  private async fetch(): Promise<void> {
    const { token, ticketId } = this;
    let result: ApiResult<PublicStatus>;
    if (token) result = await fetchStatusByToken(token);
    else if (ticketId) result = await fetchStatusByTicket(ticketId);
    else result = { ok: false, code: 'order-not-found', message: 'no token in the link' };
    if (result.ok) {
      this.status = result.body;
      this.ticket = undefined;
    } else if (result.code === 'order-not-found' && ticketId) {
      // The visit started from a queue ticket and the advisor has not opened the order yet.
      const t = await fetchTicket(ticketId);
      if (t.ok) this.ticket = t.body;
      else {
        this.failure = t.code;
        return;
      }
    } else {
      this.failure = result.code;
      return;
    }
    this.failure = undefined;
    this.fetchedAt = new Date();
  }

  private render(): void {
    const { lang, status, ticket, failure, fetchedAt, pieces } = this;
    const { t, language } = lang;
    const timeZone = this.store?.timeZone;
    const order = status?.order;
    const when = (iso: string | null): string => {
      if (!iso) return '—';
      const date = new Date(iso);
      const day = new Intl.DateTimeFormat(language, { month: 'numeric', day: 'numeric', timeZone }).format(date);
      return `${day} ${lang.time(date, timeZone)}`;
    };
    // What each piece shows, with the language and time zone it is shown in.
    const key = (...shown: unknown[]) => JSON.stringify([language, timeZone, ...shown]);
    const nodes: Node[] = [];

    if (failure && failure !== 'network' && !status && !ticket) {
      nodes.push(pieces.notice(key('not-found'), () => h('p', { class: 'notice', 'data-testid': 'status-not-found' }, t('ws.status.notFound'))));
    } else if (failure === 'network' && fetchedAt) {
      nodes.push(pieces.notice(key('offline', fetchedAt), () => h('p', { class: 'offline', role: 'status' }, t('ws.status.offline', { time: lang.time(fetchedAt, timeZone) }))));
    } else if (failure === 'network') {
      nodes.push(pieces.notice(key('network'), () => h('p', { class: 'notice' }, t('ws.error.network'))));
    }

    if (order && status) {
      nodes.push(
        pieces.summary(key(order), () => {
          const bar = h('span');
          bar.style.width = `${order.progress}%`;
          return h(
            'section',
            { class: `summary ${order.late}`, 'data-testid': 'status-order', 'data-stage': order.stage, 'data-late': order.late },
            h('h1', { class: 'plate' }, `${order.plate} `, h('span', { class: 'model' }, order.model)),
            h('p', { class: 'stage', 'data-testid': 'status-stage' }, `${t(`ws.stage.${order.stage}`)}${order.pauseReason ? ` · ${t(`ws.pause.${order.pauseReason}`)}` : ''}`),
            h('span', { class: 'bar', role: 'progressbar', 'aria-label': t('ws.board.progress'), 'aria-valuenow': order.progress, 'aria-valuemin': 0, 'aria-valuemax': 100 }, bar),
            h(
              'dl',
              {},
              h('dt', {}, t('ws.board.no')),
              h('dd', {}, order.no),
              h('dt', {}, t('ws.board.advisor')),
              h('dd', {}, order.advisor),
              h('dt', {}, t('ws.board.promised')),
              h('dd', { class: 'promised' }, `${when(order.promisedAt)}${order.late !== 'on-time' ? ` · ${t(`ws.late.${order.late}`)}` : ''}`),
              order.expectedReadyAt && h('dt', {}, t('ws.board.expected')),
              order.expectedReadyAt && h('dd', {}, when(order.expectedReadyAt)),
            ),
          );
        }),
        pieces.timeline(key(status.timeline, order.reworkCount), () =>
          h(
            'section',
            {},
            h('h2', {}, t('ws.status.timeline')),
            h(
              'ol',
              { class: 'timeline', 'data-testid': 'status-timeline' },
              ...status.timeline.map((entry, i) =>
                h('li', { class: i === status.timeline.length - 1 && 'current' }, h('time', {}, when(entry.at)), h('span', {}, `${t(`ws.stage.${entry.stage}`)}${entry.reason ? ` · ${t(`ws.pause.${entry.reason}`)}` : ''}`)),
              ),
            ),
            order.reworkCount > 0 && h('p', { class: 'hint' }, t('ws.status.reworked')),
          ),
        ),
      );
      if (order.stage === 'released' && this.token) nodes.push(this.surveyHost(this.token));
      if (status.jobs.length > 0) {
        nodes.push(
          pieces.jobs(key(status.jobs), () =>
            h(
              'section',
              {},
              h('h2', {}, t('ws.status.jobs')),
              h('ul', { class: 'jobs' }, ...status.jobs.map((job) => h('li', { class: job.state }, h('span', {}, job.title), h('span', { class: 'state' }, t(`ws.job.${job.state}`))))),
            ),
          ),
        );
      }
    } else if (ticket) {
      nodes.push(
        pieces.ticket(key(ticket), () =>
          h(
            'p',
            { class: 'notice', 'data-testid': 'status-ticket' },
            ticket.ticket.state === 'waiting'
              ? t('ws.status.noOrderYet', { number: ticket.ticket.number, ahead: ticket.peopleAhead, wait: waitText(ticket, language) })
              : t('ws.status.ticketCalled', { number: ticket.ticket.number }),
          ),
        ),
        this.waitChange(ticket),
      );
    } else if (!failure) {
      nodes.push(pieces.notice(key('loading'), () => h('p', { class: 'notice' }, t('ws.status.loading'))));
    }

    if (fetchedAt) nodes.push(pieces.updated(key(fetchedAt), () => h('p', { class: 'updated' }, t('ws.status.updated', { time: lang.time(fetchedAt, timeZone) }))));
    if (this.survey && !nodes.includes(this.survey.host)) {
      this.survey.unmount?.();
      this.survey = undefined;
    }
    setChildren(this.main, nodes);
  }

  /** The live region that says the estimated wait moved: one element, its text changed in place. */
  private waitChange(ticket: TicketStatus): HTMLElement {
    const region = (this.changeRegion ??= h('p', { class: 'change', 'aria-live': 'polite', 'data-testid': 'wait-change' }));
    const change = ticket.ticket.state === 'waiting' ? ticket.waitChange : null;
    const text = change ? this.lang.t(change.direction === 'later' ? 'ws.status.waitLater' : 'ws.status.waitSooner', { then: waitText(change.first, this.lang.language) }) : '';
    region.classList.toggle('shown', change !== null);
    if (change) region.dataset.direction = change.direction;
    else delete region.dataset.direction;
    if (region.textContent !== text) region.textContent = text;
    return region;
  }

  /** Where the survey goes: loaded (`import()`, its texts with it) only for a released car. */
  private surveyHost(token: string): HTMLElement {
    if (this.survey) return this.survey.host;
    const survey: NonNullable<StatusPage['survey']> = { host: h('div', { class: 'survey-host' }) };
    this.survey = survey;
    import('./survey-lazy.js').then(
      ({ mountSurvey }) => {
        if (this.survey === survey) survey.unmount = mountSurvey(survey.host, token, this.lang);
      },
      () => {
        // Offline at that moment: asked for again at the next render.
        if (this.survey === survey) this.survey = undefined;
      },
    );
    return survey.host;
  }
}
