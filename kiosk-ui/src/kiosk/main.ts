import { mount } from 'svelte';
import '../lib/base.css';
import Kiosk from './Kiosk.svelte';

mount(Kiosk, { target: document.getElementById('app')! });
