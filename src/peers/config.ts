/**
 * Federation settings, read once from an environment (process.env at the edge, through src/config) with every
 * problem named:
 *
 *   VULNSHARE_PEER_CLOCK_SKEW   allowed difference between a message's issuedAt and our clock (default 300s; 1s–1h)
 *   VULNSHARE_PEER_KEY_GRACE    how long a peer's retired key still verifies (default 7d; 0s–90d)
 *   VULNSHARE_PEER_PAGE         entries per page of a peer's change feed asked for (default 500; 1–1000)
 */
import { parseDuration } from '../feeds/config.js';

export interface PeerConfig {
  clockSkewSeconds: number;
  keyGraceSeconds: number;
  pageSize: number;
}

export const DEFAULT_PEER_CONFIG: PeerConfig = {
  clockSkewSeconds: 300,
  keyGraceSeconds: 7 * 86_400,
  pageSize: 500,
};

function seconds(
  name: string,
  raw: string | undefined,
  dflt: number,
  min: number,
  max: number,
  problems: string[],
) {
  if (raw === undefined || raw.trim() === '') return dflt;
  const ms = parseDuration(raw);
  if (ms === null || ms < min * 1000 || ms > max * 1000) {
    problems.push(`${name} must be a duration from ${min}s to ${max}s, like 300s, 5m or 7d (got "${raw}")`);
    return dflt;
  }
  return Math.round(ms / 1000);
}

export function peerConfigFromEnv(env: Record<string, string | undefined>, problems: string[]): PeerConfig {
  const page = env.VULNSHARE_PEER_PAGE?.trim();
  let pageSize = DEFAULT_PEER_CONFIG.pageSize;
  if (page) {
    if (/^\d{1,4}$/.test(page) && Number(page) >= 1 && Number(page) <= 1000) pageSize = Number(page);
    else problems.push(`VULNSHARE_PEER_PAGE must be an integer from 1 to 1000 (got "${page}")`);
  }
  return {
    clockSkewSeconds: seconds(
      'VULNSHARE_PEER_CLOCK_SKEW',
      env.VULNSHARE_PEER_CLOCK_SKEW,
      300,
      1,
      3600,
      problems,
    ),
    keyGraceSeconds: seconds(
      'VULNSHARE_PEER_KEY_GRACE',
      env.VULNSHARE_PEER_KEY_GRACE,
      7 * 86_400,
      0,
      90 * 86_400,
      problems,
    ),
    pageSize,
  };
}
