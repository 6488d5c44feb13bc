import { describe, expect, it } from 'vitest';
import { canTransition } from '../workflow/state-machine.js';
import {
  addYears,
  certificateQuery,
  isIsoDate,
  parseCertificate,
  parseMemberList,
  STATUS_TRANSITIONS,
} from './model.js';

describe('alliance certificate numbers', () => {
  it.each([
    ['CCTGA-000093', 'CCTGA-000093'],
    ['CCTGA-0000150', 'CCTGA-000150'],
    ['cctga－150', 'CCTGA-000150'],
    ['CCTGA 7', 'CCTGA-000007'],
  ])('normalises %s to %s: the number is what counts', (raw, canonical) => {
    expect(parseCertificate(raw)).toMatchObject({ canonical });
  });

  it.each(['CCTGA-', 'CCTGA-12a', 'CNVD-000093', 'CCTGA-0', 'CCTGA-1000000'])('refuses %s', (raw) => {
    expect(parseCertificate(raw)).toHaveProperty('problem');
  });

  it('reads a search for a number or a certificate as the canonical certificate', () => {
    expect(certificateQuery('150')).toBe('CCTGA-000150');
    expect(certificateQuery('CCTGA-0000150')).toBe('CCTGA-000150');
    expect(certificateQuery('华为')).toBeNull();
  });
});

describe('parseMemberList', () => {
  const list = [
    '北京搜狗信息服务有限公司 CCTGA-000093',
    '229',
    '2020年中国互联网网络安全报告',
    '（续表）',
    '单位名称（排名不分先后） 联盟证书编号',
    '浙江大华技术股份有限公司 CCTGA-0000150',
    '',
  ].join('\n');

  it('takes member lines and skips titles, headers, continuation lines and page numbers', () => {
    const r = parseMemberList(list);
    expect(r.problems).toEqual([]);
    expect(r.members).toEqual([
      {
        line: 1,
        name: '北京搜狗信息服务有限公司',
        certificate: 'CCTGA-000093',
        certificateRaw: 'CCTGA-000093',
      },
      {
        line: 6,
        name: '浙江大华技术股份有限公司',
        certificate: 'CCTGA-000150',
        certificateRaw: 'CCTGA-0000150',
      },
    ]);
  });

  it('refuses a certificate listed twice, however padded, naming both lines', () => {
    const r = parseMemberList(`${list}\n某某科技有限公司 CCTGA-000150`);
    expect(r.problems).toEqual([
      { line: 8, message: 'certificate CCTGA-000150 (CCTGA-000150) is listed on line 6 already' },
    ]);
  });

  it('refuses a name listed twice and a malformed certificate, naming the lines', () => {
    const r = parseMemberList(`${list}\n北京搜狗信息服务有限公司 CCTGA-000200\n坏公司 CCTGA-9x`);
    expect(r.problems.map((p) => p.line)).toEqual([8, 9]);
    expect(r.problems[0]?.message).toContain('line 1');
    expect(r.problems[1]?.message).toContain('CCTGA-9x');
  });
});

describe('membership statuses', () => {
  it('suspends and expires an active membership, and renews a suspended or expired one', () => {
    expect(canTransition(STATUS_TRANSITIONS, 'active', 'suspended')).toBe(true);
    expect(canTransition(STATUS_TRANSITIONS, 'suspended', 'active')).toBe(true);
    expect(canTransition(STATUS_TRANSITIONS, 'expired', 'active')).toBe(true);
    expect(canTransition(STATUS_TRANSITIONS, 'expired', 'suspended')).toBe(false);
  });

  it('adds years to a date and checks dates', () => {
    expect(addYears('2020-12-31', 1)).toBe('2021-12-31');
    expect(isIsoDate('2021-02-29')).toBe(false);
    expect(isIsoDate('2020-02-29')).toBe(true);
  });
});
