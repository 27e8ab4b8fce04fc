import { mount } from 'svelte';
import '@forecourt/screen-lib/base.css';
import Bay from './Bay.svelte';
import { common } from '@forecourt/screen-lib/i18n/common.js';
import { auth } from '@forecourt/screen-lib/i18n/auth.js';
import { pairing } from '@forecourt/screen-lib/i18n/pairing.js';
import { workshop } from '@forecourt/screen-lib/i18n/workshop.js';
import { workshopPublic } from '@forecourt/screen-lib/i18n/workshop-public.js';
import { useMessages } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

// The bay terminal: pairing, the technician's sign-in, the workshop.
useMessages(common, auth, pairing, workshop, workshopPublic);

mount(Bay, { target: document.getElementById('app')! });
