import { mount } from 'svelte';
import '@forecourt/screen-lib/base.css';
import Kiosk from './Kiosk.svelte';
import { common } from '@forecourt/screen-lib/i18n/common.js';
import { kiosk } from '@forecourt/screen-lib/i18n/kiosk.js';
import { members } from '@forecourt/screen-lib/i18n/members.js';
import { pairing } from '@forecourt/screen-lib/i18n/pairing.js';
import { printing } from '@forecourt/screen-lib/i18n/printing.js';
import { survey } from '@forecourt/screen-lib/i18n/survey.js';
import { useMessages } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

// The kiosk: greeting a member, tickets, printing, pairing, the survey after a release.
useMessages(common, kiosk, members, pairing, printing, survey);

mount(Kiosk, { target: document.getElementById('app')! });
