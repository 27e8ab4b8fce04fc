import { mount } from 'svelte';
import '../lib/base.css';
import Kiosk from './Kiosk.svelte';
import { common } from '../lib/i18n/common.js';
import { kiosk } from '../lib/i18n/kiosk.js';
import { members } from '../lib/i18n/members.js';
import { auth } from '../lib/i18n/auth.js';
import { printing } from '../lib/i18n/printing.js';
import { survey } from '../lib/i18n/survey.js';
import { useMessages } from '../lib/i18n/i18n.svelte.js';

// The kiosk: greeting a member, tickets, printing, pairing, the survey after a release.
useMessages(common, kiosk, members, auth, printing, survey);

mount(Kiosk, { target: document.getElementById('app')! });
