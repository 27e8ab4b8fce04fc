import { columns } from '../text-encoding.js';

const NO_LINE_START = /^[，。、；：！？）」』》〉】”’]/u;

/**
 * Breaks a text into lines of at most `width` columns (a Chinese character takes two): between
 * words of Latin text, between any two Chinese characters, and inside a word only when the word
 * alone is wider than the line.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const push = () => {
    lines.push(line.trimEnd());
    line = '';
  };
  // Latin words stay whole, spaces are separators, anything else breaks anywhere.
  for (const token of text.match(/[\x21-\x7e]+|\s+|[^\x21-\x7e\s]/gu) ?? []) {
    if (/^\s+$/.test(token)) {
      if (line && columns(line) < width) line += ' ';
      continue;
    }
    if (columns(line) + columns(token) <= width) {
      line += token;
      continue;
    }
    // Chinese punctuation never starts a line: the character before it goes down with it.
    const chars = [...line.trimEnd()];
    const carry = NO_LINE_START.test(token) && chars.length > 1 ? (chars.pop() ?? '') : '';
    line = chars.join('');
    if (line) push();
    line = carry;
    for (const ch of token) {
      if (columns(line) + columns(ch) > width) push();
      line += ch;
    }
  }
  if (line.trim() || lines.length === 0) push();
  return lines;
}

/** The text padded with spaces to `width` columns, on the left for right alignment. */
export function pad(text: string, width: number, align: 'left' | 'right' | 'center' = 'left'): string {
  const gap = Math.max(0, width - columns(text));
  if (align === 'right') return ' '.repeat(gap) + text;
  if (align === 'center') return ' '.repeat(Math.floor(gap / 2)) + text + ' '.repeat(Math.ceil(gap / 2));
  return text + ' '.repeat(gap);
}
