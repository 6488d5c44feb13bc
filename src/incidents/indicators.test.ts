import { describe, expect, it } from 'vitest';
import { detectIndicatorType, parseIndicator, refang, type IndicatorType } from './indicators.js';

const good: Array<[IndicatorType, string, string]> = [
  ['ipv4', '8.8.8.8', '8.8.8.8'],
  ['ipv4', '1.2.3[.]4', '1.2.3.4'],
  ['ipv4', ' 203.0.113.45 ', '203.0.113.45'],
  ['ipv6', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ['ipv6', '[2001:db8::10]', '2001:db8::10'],
  ['ipv6', '::ffff:192.0.2.1', '::ffff:c000:201'],
  ['domain', 'Evil.Example', 'evil.example'],
  ['domain', 'evil[.]com', 'evil.com'],
  ['domain', 'mail.evil.com.', 'mail.evil.com'],
  ['domain', 'bücher.de', 'xn--bcher-kva.de'],
  ['url', 'hxxp://evil[.]com/a?b=1', 'http://evil.com/a?b=1'],
  ['url', 'HTTPS://Evil.COM/Path', 'https://evil.com/Path'],
  ['url', 'hxxps[:]//evil[.]com', 'https://evil.com/'],
  ['md5', '0CC175B9C0F1B6A831C399E269772661', '0cc175b9c0f1b6a831c399e269772661'],
  ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  [
    'sha256',
    'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ],
  ['cert-serial', '0A:1B:2C:3D', '0a1b2c3d'],
  ['cert-serial', '0x00ff', '00ff'],
  [
    'cert-thumbprint',
    '5F:A1:9C:3B:22:D0:8E:7F:61:44:AB:CD:EF:01:23:45:67:89:9A:BC',
    '5fa19c3b22d08e7f6144abcdef0123456789' + '9abc',
  ],
  ['email', 'Admin@Evil.Example', 'Admin@evil.example'],
  ['email', 'user[at]evil[.]com', 'user@evil.com'],
];

const bad: Array<[IndicatorType, string, string]> = [
  ['ipv4', '010.0.0.1', 'leading zeros'],
  ['ipv4', '1.2.3.04', 'leading zeros'],
  ['ipv4', '256.1.1.1', 'not an IPv4 address'],
  ['ipv4', '1.2.3', 'defanged forms'],
  ['ipv6', 'fe80::1%eth0', 'zone id'],
  ['ipv6', '2001:db8:::1', 'not an IPv6 address'],
  ['domain', '1.2.3.4', 'IP address'],
  ['domain', 'localhost', 'not a domain name'],
  ['domain', '-bad.example', 'not a domain name'],
  ['domain', 'evil.c0m', 'not a domain name'],
  ['url', 'evil.com/path', 'not an absolute URL'],
  ['url', 'javascript:alert(1)', 'scheme javascript:'],
  ['md5', 'abc', '32 hexadecimal digits'],
  ['sha1', 'zz39a3ee5e6b4b0d3255bfef95601890afd80709', 'SHA-1'],
  ['sha256', 'e3b0c44298fc1c149afbf4c8996fb924', '64 hexadecimal digits'],
  ['cert-serial', '0A:1B:2C:3D:4E:5F:60:71:82:93:0A:1B:2C:3D:4E:5F:60:71:82:93:00', 'up to 20 hex octets'],
  ['cert-thumbprint', 'AB:CD', 'SHA-1: 40 or SHA-256: 64'],
  ['email', 'no-at-sign.example', 'not an e-mail address'],
  ['email', 'user@localhost', 'its domain'],
  ['ipv4', '   ', 'is empty'],
];

describe('indicator validation and normalisation', () => {
  it.each(good)('accepts %s %j and normalises it to %j', (type, input, normalised) => {
    expect(parseIndicator(type, input)).toEqual({ ok: true, value: normalised });
  });

  it.each(bad)('rejects %s %j (%s)', (type, input, fragment) => {
    const r = parseIndicator(type, input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(fragment);
  });

  it('rejects an IPv4 indicator with leading zeros and says why', () => {
    const r = parseIndicator('ipv4', '192.168.001.001');
    expect(r).toEqual({ ok: false, message: expect.stringContaining('octal') as unknown });
  });

  it('tells the analyst that defanged input is accepted when a value does not parse', () => {
    const r = parseIndicator('url', 'evil dot com');
    expect(r.ok || r.message).toContain('hxxp://evil[.]com');
  });

  it('refangs the common analyst habits and reports that it did', () => {
    expect(refang('hxxp://evil[.]com')).toEqual({ value: 'http://evil.com', defanged: true });
    expect(refang('evil(.)com')).toEqual({ value: 'evil.com', defanged: true });
    expect(refang('evil.com')).toEqual({ value: 'evil.com', defanged: false });
  });
});

describe('detectIndicatorType, for pasted lists', () => {
  it.each([
    ['203.0.113.45', 'ipv4'],
    ['1.2.3[.]4', 'ipv4'],
    ['2001:db8::1', 'ipv6'],
    ['evil[.]example', 'domain'],
    ['hxxp://evil[.]com/x', 'url'],
    ['user[at]evil[.]com', 'email'],
    ['0cc175b9c0f1b6a831c399e269772661', 'md5'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256'],
    [
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
      'sha512',
    ],
    ['5F:A1:9C:3B:22:D0:8E:7F:61:44:AB:CD:EF:01:23:45:67:89:9A:BC', 'cert-thumbprint'],
  ] as const)('reads %j as %s', (value, type) => {
    expect(detectIndicatorType(value)).toBe(type);
  });

  it.each(['', 'hello', '010.0.0.1', 'abc123', '0A:1B'])('does not guess a type for %j', (value) => {
    expect(detectIndicatorType(value)).toBeUndefined();
  });
});
