/** The bulletin's rule tables and phrases, read like the tables. */
import { describe, expect, it } from 'vitest';
import {
  introSentence,
  isOrganisation,
  overallLevel,
  reporterName,
  titleStem,
  weekOverWeek,
} from './figures.js';
import { LEVEL_RULES } from './rules.js';
import { changeText } from './text.js';

describe('week-over-week change (环比)', () => {
  it('writes the seed’s figure: 12,980 against 4,975 is 环比增加 1.61 倍', () => {
    const c = weekOverWeek(12980, 4975);
    expect(changeText(c, 4975, 'zh')).toBe('与上周（4975 个）环比增加 1.61 倍');
    expect(changeText(c, 4975, 'en')).toBe('161% more than last week (4,975)');
  });
  it('writes increases under 100 % and decreases as percentages', () => {
    expect(changeText(weekOverWeek(150, 100), 100, 'zh')).toBe('与上周（100 个）环比增加 50%');
    expect(changeText(weekOverWeek(60, 100), 100, 'zh')).toBe('与上周（100 个）环比减少 40%');
    expect(changeText(weekOverWeek(60, 100), 100, 'en')).toBe('40% fewer than last week (100)');
    expect(changeText(weekOverWeek(7, 7), 7, 'zh')).toBe('与上周（7 个）持平');
    expect(changeText(weekOverWeek(7, 0), 0, 'zh')).toBe('上周为 0 个');
  });
});

describe('overall level table', () => {
  it.each([
    [{ highShare: 185 / 406, exploited: 0 }, 'medium'], // the seed week: 中
    [{ highShare: 0.6, exploited: 0 }, 'high'],
    [{ highShare: 0.1, exploited: 5 }, 'high'],
    [{ highShare: 0.1, exploited: 1 }, 'medium'],
    [{ highShare: 0.24, exploited: 0 }, 'low'],
  ] as const)('%o → %s', (figures, level) => {
    expect(overallLevel(LEVEL_RULES, figures)).toBe(level);
  });
});

describe('record texts', () => {
  it('strips the id a CNVD title ends with', () => {
    expect(titleStem('Google Android 权限提升漏洞（CNVD-2024-05386）')).toBe('Google Android 权限提升漏洞');
    expect(titleStem('Tenda A18 缓冲区溢出漏洞')).toBe('Tenda A18 缓冲区溢出漏洞');
  });
  it('takes the product introduction sentence a CNVD description opens with', () => {
    expect(
      introSentence(
        'Tenda A18是中国腾达（Tenda）公司的一款AC1200双频Wi-Fi中继器。Tenda A18存在缓冲区溢出漏洞。',
      ),
    ).toBe('Tenda A18是中国腾达（Tenda）公司的一款AC1200双频Wi-Fi中继器。');
    expect(introSentence('Tenda A18存在缓冲区溢出漏洞。')).toBeUndefined();
  });
  it('tells organisations from individuals and drops CNVD’s team numbers', () => {
    expect(isOrganisation('斗象科技(漏洞盒子)')).toBe(true);
    expect(isOrganisation('中国工商银行')).toBe(true);
    expect(isOrganisation('平安银河实验室')).toBe(true);
    expect(isOrganisation('张益豪')).toBe(false);
    expect(isOrganisation('chunibalon')).toBe(false);
    expect(reporterName('北京天地和兴科技有限公司#3')).toBe('北京天地和兴科技有限公司');
  });
});
