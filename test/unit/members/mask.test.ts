import { describe, expect, it } from 'vitest';
import { maskName, maskPlate } from '../../../gateway/src/domain/members/mask.js';

describe('masking for public screens', () => {
  it.each([
    ['王小明', '王*明'],
    ['王明', '王*'],
    ['欧阳小明', '欧**明'],
    ['李', '*'],
    ['John Smith', 'J. S***'],
    ['Madonna', 'M***'],
    ['  王小明 ', '王*明'],
  ])('name %s → %s', (name, masked) => expect(maskName(name)).toBe(masked));

  it.each([
    ['粤B·D5678', '粤B·D5**8'],
    ['粵BD5678', '粵B·D5**8'],
    ['粤B D12345', '粤B·D1***5'],
    ['京A-12345', '京A·12**5'],
    ['ABC-1234', 'AB****4'],
    ['AB1', '***'],
  ])('plate %s → %s', (plate, masked) => expect(maskPlate(plate)).toBe(masked));

  it('never shows the middle of a plate', () => {
    expect(maskPlate('粤B·D5678')).not.toContain('67');
  });
});
