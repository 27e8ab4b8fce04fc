import { mount } from 'svelte';
import '@forecourt/screen-lib/base.css';
import Desk from './Desk.svelte';
import { common } from '@forecourt/screen-lib/i18n/common.js';
import { desk } from '@forecourt/screen-lib/i18n/desk.js';
import { members } from '@forecourt/screen-lib/i18n/members.js';
import { printing } from '@forecourt/screen-lib/i18n/printing.js';
import { auth } from '@forecourt/screen-lib/i18n/auth.js';
import { pairing } from '@forecourt/screen-lib/i18n/pairing.js';
import { headOffice } from '@forecourt/screen-lib/i18n/head-office.js';
import { backups } from '@forecourt/screen-lib/i18n/backups.js';
import { survey } from '@forecourt/screen-lib/i18n/survey.js';
import { statistics } from '@forecourt/screen-lib/i18n/statistics.js';
import { workshop } from '@forecourt/screen-lib/i18n/workshop.js';
import { workshopPublic } from '@forecourt/screen-lib/i18n/workshop-public.js';
import { board } from '@forecourt/screen-lib/i18n/board.js';
import { kiosk } from '@forecourt/screen-lib/i18n/kiosk.js';
import { useMessages } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

// The desk console: every area (it is a PC, and its panels are staff tools).
useMessages(common, desk, members, printing, auth, pairing, headOffice, backups, survey, statistics, workshop, workshopPublic, board, kiosk);

mount(Desk, { target: document.getElementById('app')! });
