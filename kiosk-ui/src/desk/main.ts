import { mount } from 'svelte';
import '../lib/base.css';
import Desk from './Desk.svelte';

mount(Desk, { target: document.getElementById('app')! });
