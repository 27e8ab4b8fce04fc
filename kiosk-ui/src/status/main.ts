import { mount } from 'svelte';
import '../lib/base.css';
import Status from './Status.svelte';
import { common } from '../lib/i18n/common.js';
import { workshop } from '../lib/i18n/workshop.js';
import { survey } from '../lib/i18n/survey.js';
import { useMessages } from '../lib/i18n/i18n.svelte.js';

// The phone status page: the order's stages and the survey.
useMessages(common, workshop, survey);

mount(Status, { target: document.getElementById('app')! });
