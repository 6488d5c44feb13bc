/**
 * Which hosts vulnshare may connect to on a user's behalf (contact webhooks, feed URLs): public addresses only,
 * unless an admin allows internal ones (VULNSHARE_ALLOW_INTERNAL_TARGETS). "Internal" is every address that
 * ipaddr.js does not classify as global unicast: loopback (127/8, ::1), private (10/8, 172.16/12, 192.168/16),
 * link-local (169.254/16 with the cloud metadata address, fe80::/10), unique-local (fc00::/7), unspecified
 * (0.0.0.0/8, ::), CGNAT (100.64/10), multicast, broadcast, reserved and documentation ranges, and the IPv6
 * forms that embed an IPv4 address (::ffff:a.b.c.d is judged as a.b.c.d; 6to4, Teredo, NAT64 are refused).
 *
 * Two checks use these rules: one when a URL is saved (a clear error naming the field; only what the URL
 * itself shows — an address literal or a `localhost` name), and one at every connection against the
 * addresses the name resolves to (src/outbound/fetch.ts), so a name that later resolves inward (DNS
 * rebinding) is refused too.
 */
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** What an admin allows besides public addresses. */
export interface InternalAllowance {
  /** `*`: every internal address. */
  any: boolean;
  /** CIDR ranges (a bare address is a /32 or /128). */
  ranges: ReadonlyArray<readonly [Address, number]>;
  /** Host names (lower case) whose URLs may reach any address. */
  hosts: ReadonlySet<string>;
}

/** The default everywhere: no internal target is allowed. */
export const NO_INTERNAL_TARGETS: InternalAllowance = Object.freeze({
  any: false,
  ranges: [],
  hosts: new Set<string>(),
});

/** Every internal target allowed (tests talking to servers on 127.0.0.1). */
export const ANY_INTERNAL_TARGET: InternalAllowance = Object.freeze({
  any: true,
  ranges: [],
  hosts: new Set<string>(),
});

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

/**
 * Read an allowance: comma-separated CIDR ranges (10.0.0.0/8, fd00::/8), addresses (127.0.0.1, ::1),
 * host names (feeds.corp.example) or `*`. Unreadable items are returned as problems naming them.
 */
export function parseInternalAllowance(text: string | undefined): {
  allowance: InternalAllowance;
  problems: string[];
} {
  const problems: string[] = [];
  const ranges: Array<readonly [Address, number]> = [];
  const hosts = new Set<string>();
  let any = false;
  for (const raw of (text ?? '').split(',')) {
    const item = raw.trim().toLowerCase();
    if (!item) continue;
    if (item === '*') any = true;
    else if (item.includes('/')) {
      try {
        const [addr, bits] = ipaddr.parseCIDR(item);
        ranges.push([normalise(addr), addr.kind() === 'ipv6' && isMapped(addr) ? bits - 96 : bits]);
      } catch {
        problems.push(`"${raw.trim()}" is not a CIDR range such as 10.0.0.0/8 or fd00::/8`);
      }
    } else {
      const literal = parseAddress(item);
      if (literal) ranges.push([literal, literal.kind() === 'ipv4' ? 32 : 128]);
      else if (HOST_NAME.test(item) && !/^[\d.]+$/.test(item)) hosts.add(item.replace(/\.$/, ''));
      else problems.push(`"${raw.trim()}" is neither an address, a CIDR range, a host name nor *`);
    }
  }
  return { allowance: { any, ranges, hosts }, problems };
}

const isMapped = (a: Address): boolean => a instanceof ipaddr.IPv6 && a.isIPv4MappedAddress();

/** ::ffff:a.b.c.d is a.b.c.d. */
function normalise(a: Address): Address {
  return a instanceof ipaddr.IPv6 && a.isIPv4MappedAddress() ? a.toIPv4Address() : a;
}

/** The address as an ipaddr object, or null when the text is not an IP address. */
export function parseAddress(text: string): Address | null {
  const t = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(t)) return null;
  // ipaddr also reads "127.1" or "0x7f.0.0.1"; only the forms the URL parser and the resolver produce count
  if (!t.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(t)) return null;
  return normalise(ipaddr.parse(t));
}

/** The range an internal address belongs to ('loopback', 'private', 'linkLocal' …), or null for a public one. */
export function internalRange(address: string): string | null {
  const a = parseAddress(address);
  if (!a) return 'not an IP address';
  const range = a.range();
  return range === 'unicast' ? null : range;
}

/** May the platform connect to this resolved address, reached through this host name? */
export function addressAllowed(address: string, hostname: string, allowance: InternalAllowance): boolean {
  if (internalRange(address) === null) return true;
  if (allowance.any || allowance.hosts.has(bareHost(hostname))) return true;
  const a = parseAddress(address);
  return !!a && allowance.ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

const bareHost = (hostname: string) =>
  hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();

/** Names that are loopback by definition (RFC 6761), refused before any lookup. */
const LOOPBACK_NAMES = /^(localhost|.+\.localhost)$/;

/**
 * Why the platform may not connect to this host — "127.0.0.1 is a loopback address" — or null when it may.
 * Judges only what the name shows (an address literal, `localhost`); resolving is left to connection time.
 */
export function refusedHost(hostname: string, allowance: InternalAllowance): string | null {
  const host = bareHost(hostname);
  const literal = parseAddress(host);
  if (literal) {
    const range = internalRange(host);
    return range && !addressAllowed(host, host, allowance)
      ? `${literal.toString()} is ${describeRange(range)} address`
      : null;
  }
  if (LOOPBACK_NAMES.test(host) && !addressAllowed('127.0.0.1', host, allowance))
    return `${host} is a loopback name`;
  return null;
}

export function describeRange(range: string): string {
  const words: Record<string, string> = {
    loopback: 'a loopback',
    private: 'a private (RFC 1918)',
    linkLocal: 'a link-local',
    uniqueLocal: 'a unique-local',
    unspecified: 'an unspecified',
    carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10)',
    multicast: 'a multicast',
    broadcast: 'a broadcast',
    reserved: 'a reserved',
  };
  return words[range] ?? `an internal (${range})`;
}

/**
 * The URL a user saves for the platform to call: http(s), and not at an internal host unless allowed.
 * Throws AppError('invalid_parameter') naming `parameter`.
 */
export function checkTargetUrl(raw: string, parameter: string, allowance: InternalAllowance): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_parameter', `${parameter} is not a URL`, { parameter });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('invalid_parameter', `${parameter} must be an http(s) URL`, { parameter });
  const why = refusedHost(url.hostname, allowance);
  if (why)
    throw new AppError(
      'invalid_parameter',
      `${parameter} points at an internal host: ${why}; an admin can allow it with VULNSHARE_ALLOW_INTERNAL_TARGETS`,
      { parameter },
    );
  return url;
}
