import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import {
  ANY_INTERNAL_TARGET,
  checkTargetUrl,
  internalRange,
  NO_INTERNAL_TARGETS,
  parseInternalAllowance,
  refusedHost,
} from './targets.js';

describe('internal target rules', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
  ])('classifies %s as internal (%s)', (address, range) => {
    expect(internalRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'classifies %s as public',
    (a) => {
      expect(internalRange(a)).toBeNull();
    },
  );

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.1/hook',
    'http://[::1]/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0:9/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://localhost:8080/',
    'http://api.localhost/',
    'https://[fd12:3456::1]/',
    'http://100.100.100.200/',
  ])('refuses to save %s without the allowance, naming the field', (url) => {
    let err: unknown;
    try {
      checkTargetUrl(url, 'webhookUrl', NO_INTERNAL_TARGETS);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('invalid_parameter');
    expect(isAppError(err) && err.details).toEqual({ parameter: 'webhookUrl' });
    expect(String((err as Error).message)).toMatch(/^webhookUrl points at an internal host/);
  });

  it('accepts public hosts and names (their addresses are checked when connecting)', () => {
    for (const url of ['https://hooks.example.org/x', 'http://8.8.8.8/', 'https://[2606:4700::1111]/'])
      expect(checkTargetUrl(url, 'url', NO_INTERNAL_TARGETS).href).toBe(new URL(url).href);
  });

  it('refuses other schemes', () => {
    expect(() => checkTargetUrl('file:///etc/passwd', 'url', ANY_INTERNAL_TARGET)).toThrow(/http\(s\)/);
    expect(() => checkTargetUrl('gopher://127.0.0.1/', 'url', ANY_INTERNAL_TARGET)).toThrow(/http\(s\)/);
  });

  it('admits exactly what the allowance lists: *, CIDR ranges, addresses, host names', () => {
    const { allowance, problems } = parseInternalAllowance(' 10.0.0.0/8, ::1 , feeds.corp.example,127.0.0.1');
    expect(problems).toEqual([]);
    expect(refusedHost('10.20.30.40', allowance)).toBeNull();
    expect(refusedHost('[::1]', allowance)).toBeNull();
    expect(refusedHost('127.0.0.1', allowance)).toBeNull();
    expect(refusedHost('localhost', allowance)).toBeNull();
    expect(refusedHost('192.168.0.1', allowance)).toMatch(/private/);
    expect(refusedHost('169.254.169.254', allowance)).toMatch(/link-local/);
    expect(parseInternalAllowance('*').allowance.any).toBe(true);
    expect(refusedHost('169.254.169.254', parseInternalAllowance('*').allowance)).toBeNull();
  });

  it('reports unreadable allowance items by name', () => {
    expect(parseInternalAllowance('10.0.0.0/33, not a host!, 192.168.0.0/16').problems).toEqual([
      '"10.0.0.0/33" is not a CIDR range such as 10.0.0.0/8 or fd00::/8',
      '"not a host!" is neither an address, a CIDR range, a host name nor *',
    ]);
  });
});
