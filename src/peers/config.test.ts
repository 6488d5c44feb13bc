import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';

describe('federation settings', () => {
  it('default to a 300 s clock allowance, a 7-day key grace and pages of 500', () => {
    expect(loadConfig({}).peers).toEqual({ clockSkewSeconds: 300, keyGraceSeconds: 604_800, pageSize: 500 });
  });
  it('are read from the environment', () => {
    const c = loadConfig({
      VULNSHARE_PEER_CLOCK_SKEW: '2m',
      VULNSHARE_PEER_KEY_GRACE: '1d',
      VULNSHARE_PEER_PAGE: '50',
    });
    expect(c.peers).toEqual({ clockSkewSeconds: 120, keyGraceSeconds: 86_400, pageSize: 50 });
  });
  it('name every bad value at once', () => {
    let message = '';
    try {
      loadConfig({
        VULNSHARE_PEER_CLOCK_SKEW: '2h',
        VULNSHARE_PEER_KEY_GRACE: 'soon',
        VULNSHARE_PEER_PAGE: '0',
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/VULNSHARE_PEER_CLOCK_SKEW .*"2h"/);
    expect(message).toMatch(/VULNSHARE_PEER_KEY_GRACE .*"soon"/);
    expect(message).toMatch(/VULNSHARE_PEER_PAGE .*"0"/);
  });
});
