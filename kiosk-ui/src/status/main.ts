import { mount } from 'svelte';
import '../lib/base.css';
import Status from './Status.svelte';

mount(Status, { target: document.getElementById('app')! });
