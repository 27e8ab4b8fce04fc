import { mount } from 'svelte';
import '../lib/base.css';
import Bay from './Bay.svelte';
import { common } from '../lib/i18n/common.js';
import { auth } from '../lib/i18n/auth.js';
import { workshop } from '../lib/i18n/workshop.js';
import { useMessages } from '../lib/i18n/i18n.svelte.js';

// The bay terminal: pairing, the technician's sign-in, the workshop.
useMessages(common, auth, workshop);

mount(Bay, { target: document.getElementById('app')! });
