import type { FastifyInstance } from 'fastify';
import { QueueError } from '../domain/queue/index.js';
import type { Config } from '../config/schema.js';
import type { QueueApi } from './queue-routes.js';
import { LANGUAGES, TicketId, waitText, type Language } from '../protocol/index.js';

const WORDS: Record<Language, Record<'title' | 'ahead' | 'wait' | 'later' | 'sooner' | 'notFound' | 'refresh', string> & Record<'waiting' | 'called' | 'serving' | 'done' | 'no-show' | 'cancelled', string>> = {
  'zh-Hans': { title: '排队进度', ahead: '前面还有', wait: '预计等候', later: '等候时间比您取号时预计的长了不少（取号时：{then}）。', sooner: '好消息：等候时间比您取号时预计的短了不少（取号时：{then}）。', notFound: '找不到这张号票。', refresh: '本页每 20 秒自动刷新', waiting: '等候中', called: '请到服务台', serving: '服务中', done: '已完成', 'no-show': '已过号，请至服务台', cancelled: '已取消' },
  'zh-Hant': { title: '排隊進度', ahead: '前面還有', wait: '預計等候', later: '等候時間比您取號時預計的長了不少（取號時：{then}）。', sooner: '好消息：等候時間比您取號時預計的短了不少（取號時：{then}）。', notFound: '找不到這張號票。', refresh: '本頁每 20 秒自動更新', waiting: '等候中', called: '請到服務台', serving: '服務中', done: '已完成', 'no-show': '已過號，請洽服務台', cancelled: '已取消' },
  en: { title: 'Your place in the queue', ahead: 'People ahead', wait: 'Estimated wait', later: 'The wait has grown since you took your ticket (then: {then}).', sooner: 'Good news: the wait has shortened since you took your ticket (then: {then}).', notFound: 'This ticket was not found.', refresh: 'This page refreshes every 20 s', waiting: 'Waiting', called: 'Please go to the desk', serving: 'Being served', done: 'Done', 'no-show': 'Missed: please ask at the desk', cancelled: 'Cancelled' },
};

/**
 * `/t/{ticketId}`: the page the QR code on a printed ticket opens on the customer's phone — the
 * ticket's number, service, people ahead and minutes, in all three languages. Every 20 s a few
 * lines of script fetch the page again and swap its content in place (no reload: a screen reader
 * keeps its place and the page does not jump); without script, a meta refresh does it.
 */
export function registerTicketPage(app: FastifyInstance, queue: Pick<QueueApi, 'engine'>, config: Config): void {
  app.get<{ Params: { id: string } }>('/t/:id', async (req, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    let status;
    try {
      if (!TicketId.safeParse(req.params.id).success) throw new QueueError('ticket-not-found', 'no such ticket');
      status = queue.engine.ticketStatus(req.params.id);
    } catch (err) {
      if (!(err instanceof QueueError)) return reply.code(503).send(page(config, LANGUAGES.map((l) => `<p lang="${l}">${WORDS[l].refresh}</p>`).join('')));
      return reply.code(404).send(page(config, LANGUAGES.map((l) => `<p lang="${l}">${WORDS[l].notFound}</p>`).join('')));
    }
    const { ticket, peopleAhead, waitChange } = status;
    const service = config.queue.services.find((s) => s.code === ticket.service)?.name;
    const sections = LANGUAGES.map((l) => {
      const w = WORDS[l];
      const rows = ticket.state === 'waiting'
        ? `<dt>${w.ahead}</dt><dd data-field="ahead">${peopleAhead}</dd><dt>${w.wait}</dt><dd data-field="minutes">${esc(waitText(status, l))}</dd>`
        : '';
      const change = ticket.state === 'waiting' && waitChange ? `<p class="change" data-field="change">${esc(w[waitChange.direction].replace('{then}', waitText(waitChange.first, l)))}</p>` : '';
      return `<section lang="${l}"><h2>${esc(w.title)}</h2><p class="state">${esc(w[ticket.state])}</p><p>${esc(service?.[l] ?? ticket.service)}</p><dl>${rows}</dl>${change}</section>`;
    });
    return page(config, `<p class="number" data-field="number">${esc(ticket.number)}</p>${sections.join('')}<p class="small">${LANGUAGES.map((l) => WORDS[l].refresh).join(' · ')}</p>`);
  });
}

function page(config: Config, body: string): string {
  const name = config.store.name;
  return `<!doctype html><html lang="${config.store.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><noscript><meta http-equiv="refresh" content="20"></noscript>
<title>${esc(name[config.store.language])}</title>
<style>body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:1.2rem;max-width:32rem;line-height:1.5;color:#1d2733}.number{font-size:4rem;font-weight:800;text-align:center;margin:.2em 0;color:#1f4e79}section{border-top:1px solid #d5dde6;padding:.4em 0}h2{font-size:1rem;margin:.2em 0;color:#5b6776}.state{font-weight:700;margin:.2em 0}dl{display:grid;grid-template-columns:auto 1fr;gap:.2em 1em;margin:.3em 0}dd{margin:0;font-weight:700}.small{color:#5b6776;font-size:.85rem}.change{background:#fff4d6;color:#5c3d00;padding:.4em .6em;border-radius:.3em;font-weight:600}</style></head>
<body><main><h1>${esc(name[config.store.language])}</h1><div id="live">${body}</div></main><script>${REFRESH}</script></body></html>`;
}

/** Every 20 s while the page is in view: the page again, its content swapped in place where it changed. */
const REFRESH = `setInterval(function(){if(document.hidden)return;fetch(location.href,{cache:'no-store'}).then(function(r){return r.text()}).then(function(t){var n=new DOMParser().parseFromString(t,'text/html').getElementById('live'),o=document.getElementById('live');if(n&&o&&n.innerHTML!==o.innerHTML)o.innerHTML=n.innerHTML}).catch(function(){})},20000)`;

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
