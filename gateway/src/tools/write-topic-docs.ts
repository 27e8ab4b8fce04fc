import { writeFileSync } from 'node:fs';
import { renderTopicsDoc } from '../protocol/docs.js';
import { renderAccessDoc } from '../protocol/access/docs.js';
import { renderDmsOpenApi } from '../protocol/dms-openapi.js';

for (const [file, text] of [['TOPICS.md', renderTopicsDoc()], ['ACCESS.md', renderAccessDoc()], ['dms-openapi.json', renderDmsOpenApi()]] as const) {
  const target = new URL(`../../../firmware-config/${file}`, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
