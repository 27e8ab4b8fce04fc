import '@forecourt/screen-lib/base.css';
import './status.css';
import { credentials } from '@forecourt/screen-lib/credentials.js';
import { common } from '@forecourt/screen-lib/i18n/common.js';
import { useMessages } from '@forecourt/screen-lib/i18n/messages.js';
import { workshopPublic } from '@forecourt/screen-lib/i18n/workshop-public.js';
import { PageLanguage } from './page-language.js';
import { StatusPage } from './status-page.js';

// The phone status page: the order's stages (the survey's texts come with the survey, survey-lazy.ts).
// Public: a customer's phone is no enrolled screen, so its requests carry no device token.
useMessages(common, workshopPublic);
credentials.httpAuth = 'session';

const params = new URLSearchParams(location.search);
new StatusPage(document.getElementById('app')!, new PageLanguage(), params.get('t') ?? undefined, params.get('ticket') ?? undefined).start();
