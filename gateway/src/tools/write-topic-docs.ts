import { writeFileSync } from 'node:fs';
import { renderTopicsDoc } from '../protocol/docs.js';

const target = new URL('../../../firmware-config/TOPICS.md', import.meta.url);
writeFileSync(target, renderTopicsDoc());
process.stdout.write(`wrote ${target.pathname}\n`);
