import { describe, expect, it } from 'vitest';
import { TapDebouncer } from '../../../gateway/src/adapters/nfc/debounce.js';

describe('tap debouncer', () => {
  it('treats a card left on the reader, flickering, as one tap', () => {
    let now = 0;
    const d = new TapDebouncer(1500, () => now);
    expect(d.arrived('a')).toBe(true);
    expect(d.arrived('a')).toBe(false); // seen again without leaving
    now = 100;
    d.left('a');
    now = 400;
    expect(d.arrived('a')).toBe(false); // back within the window
    d.left('a');
    now = 2000;
    expect(d.arrived('a')).toBe(true); // a real second tap
  });

  it('never holds back another card, and forgets departed cards', () => {
    let now = 0;
    const d = new TapDebouncer(1000, () => now);
    expect(d.arrived('a')).toBe(true);
    d.left('a');
    expect(d.arrived('b')).toBe(true);
    d.left('b');
    now = 5000;
    expect(d.arrived('c')).toBe(true);
    expect(d.size).toBe(1);
  });

  it('counts every card as gone when the reader goes away', () => {
    let now = 0;
    const d = new TapDebouncer(1000, () => now);
    d.arrived('a');
    d.allLeft();
    now = 1000;
    expect(d.arrived('a')).toBe(true);
  });
});
