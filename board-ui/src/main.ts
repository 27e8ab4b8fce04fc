import { mount } from 'svelte';
import '@forecourt/kiosk-ui/lib/base.css';
import Board from './Board.svelte';

mount(Board, { target: document.getElementById('app')! });
