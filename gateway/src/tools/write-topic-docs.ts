import { writeFileSync } from 'node:fs';
import { renderTopicsDoc } from '../protocol/docs.js';
import { renderAccessDoc } from '../protocol/access/docs.js';

for (const [file, text] of [['TOPICS.md', renderTopicsDoc()], ['ACCESS.md', renderAccessDoc()]] as const) {
  const target = new URL(`../../../firmware-config/${file}`, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
