import { mount } from 'svelte';
import '../lib/base.css';
import Bay from './Bay.svelte';

mount(Bay, { target: document.getElementById('app')! });
