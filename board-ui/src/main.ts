import { mount } from 'svelte';
import '@forecourt/screen-lib/base.css';
import Board from './Board.svelte';
import { common } from '@forecourt/screen-lib/i18n/common.js';
import { board } from '@forecourt/screen-lib/i18n/board.js';
import { workshopPublic } from '@forecourt/screen-lib/i18n/workshop-public.js';
import { pairing } from '@forecourt/screen-lib/i18n/pairing.js';
import { useMessages } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

// The lounge board: now serving, the workshop rows, pairing.
useMessages(common, board, workshopPublic, pairing);

mount(Board, { target: document.getElementById('app')! });
