import { describe, expect, it } from 'vitest';
import { formatPlate, maskPlate, normalizePlate } from '../../../gateway/src/domain/workshop/index.js';

describe('plates', () => {
  it.each([
    ['粵B·D5678', '粵B·D5**8'],
    ['粵BD5678', '粵B·D5**8'],
    ['粤b d5678', '粤B·D5**8'],
    ['粤B·D12345', '粤B·D1***5'],
    ['京Ａ·１２３４５', '京A·12**5'],
    ['粤B·1234警', '粤B·12**警'],
    ['AB 1234', 'AB***4'],
    ['ABC-1234', 'AB****4'],
    ['粤B·D12', '粤B·D**'],
    ['XY', 'X*'],
    ['粤B9', '粤B·*'],
  ])('masks %s as %s', (plate, masked) => {
    expect(maskPlate(plate)).toBe(masked);
  });

  it('never shows more than three characters of the serial', () => {
    for (const plate of ['粤BD5678', '粤BDF12345', 'ABCDEFGH12']) {
      const serial = maskPlate(plate).replace(/^.+·/, '');
      expect(serial.replace(/\*/g, '').length).toBeLessThanOrEqual(3);
      expect(serial).toContain('*');
    }
  });

  it('normalizes what staff type and formats it back for staff screens', () => {
    expect(normalizePlate(' 粵b·d5678 ')).toBe('粵BD5678');
    expect(normalizePlate('粤Ｂ－Ｄ５６７８')).toBe('粤BD5678');
    expect(formatPlate('粵BD5678')).toBe('粵B·D5678');
    expect(formatPlate('AB1234')).toBe('AB1234');
  });
});
