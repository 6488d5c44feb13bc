import { describe, expect, it } from 'vitest';
import { parseDate } from './dates.js';

describe('parseDate', () => {
  it.each([
    ['2022-01-26', '2022-01-26'],
    ['2022/1/6', '2022-01-06'],
    [' 2022-01-26 ', '2022-01-26'],
    ['2022-01-26 10:00:00', '2022-01-26T02:00:00.000Z'],
    ['2024-01-05T10:00:00.000Z', '2024-01-05T10:00:00.000Z'],
    ['2024-01-05T10:00:00+0100', '2024-01-05T09:00:00.000Z'],
  ])('reads %s as %s', (input, out) => {
    expect(parseDate(input)).toBe(out);
  });
  it.each(['2023-02-30', '2023-13-01', 'yesterday', '', '20230101', '2023-01-01 25:00'])(
    'refuses %s',
    (input) => {
      expect(parseDate(input)).toBeNull();
    },
  );
});
