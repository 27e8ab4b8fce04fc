import { mount } from 'svelte';
import '@forecourt/screen-lib/base.css';
import Status from './Status.svelte';
import { common } from '@forecourt/screen-lib/i18n/common.js';
import { workshopPublic } from '@forecourt/screen-lib/i18n/workshop-public.js';
import { useMessages } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

// The phone status page: the order's stages (the survey's texts come with the survey, survey-lazy.ts).
useMessages(common, workshopPublic);

mount(Status, { target: document.getElementById('app')! });
