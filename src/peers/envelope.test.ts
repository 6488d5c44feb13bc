import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { signEnvelope, verifyEnvelope, type PeerKey, type SignInput } from './envelope.js';
import { createKeyPair } from './keys.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const alice = createKeyPair();
const aliceOld = createKeyPair();
const aliceRevoked = createKeyPair();
const mallory = createKeyPair();
const TARGET = 'GET /api/v1/federation/changes?after=0&limit=10';

const keysOfAlice: PeerKey[] = [
  { keyId: alice.keyId, publicKey: alice.publicKey, state: 'active' },
  {
    keyId: aliceOld.keyId,
    publicKey: aliceOld.publicKey,
    state: 'retired',
    retiredAt: '2026-11-30T12:00:00Z',
  },
  { keyId: aliceRevoked.keyId, publicKey: aliceRevoked.publicKey, state: 'revoked' },
];

function deps() {
  const seen = new Set<string>();
  return {
    self: 'national',
    keysOf: (name: string) => Promise.resolve(name === 'alice' ? keysOfAlice : null),
    rememberNonce: (from: string, nonce: string) => {
      const k = `${from}/${nonce}`;
      if (seen.has(k)) return Promise.resolve(false);
      seen.add(k);
      return Promise.resolve(true);
    },
    now: NOW,
    skewMs: 300_000,
    graceMs: 7 * 86_400_000,
  };
}

const base: SignInput = {
  kind: 'changes.request',
  from: 'alice',
  to: 'national',
  keyId: alice.keyId,
  privateKey: alice.privateKey,
  body: '',
  now: NOW,
  target: TARGET,
};

/** Each case: how the message is made or changed, and the code it is refused with. */
const REFUSALS: Array<{ name: string; token: () => string; body?: string; target?: string; code: string }> = [
  { name: 'no signature at all', token: () => '', code: 'peer_signature_invalid' },
  { name: 'not header.signature', token: () => 'garbage', code: 'peer_signature_invalid' },
  {
    name: 'an instance that is not a peer',
    token: () => signEnvelope({ ...base, from: 'stranger' }).token,
    code: 'peer_unknown',
  },
  {
    name: 'a key that is not one of the peer’s',
    token: () => signEnvelope({ ...base, keyId: mallory.keyId, privateKey: mallory.privateKey }).token,
    code: 'peer_key_unknown',
  },
  {
    name: 'a revoked key',
    token: () =>
      signEnvelope({ ...base, keyId: aliceRevoked.keyId, privateKey: aliceRevoked.privateKey }).token,
    code: 'peer_key_unknown',
  },
  {
    name: 'a key retired longer ago than the grace period',
    token: () =>
      signEnvelope({ ...base, keyId: aliceOld.keyId, privateKey: aliceOld.privateKey, now: NOW }).token,
    code: 'peer_key_unknown',
    // checked with a clock 8 days after the retirement below
  },
  {
    name: 'signed by another key than it names',
    token: () => signEnvelope({ ...base, privateKey: mallory.privateKey }).token,
    code: 'peer_signature_invalid',
  },
  {
    name: 'a tampered header (the signature no longer matches)',
    token: () => {
      const [h, s] = signEnvelope(base).token.split('.');
      const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString()) as Record<string, unknown>;
      header.target = 'GET /api/v1/federation/changes?after=0&limit=1000';
      return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${s ?? ''}`;
    },
    code: 'peer_signature_invalid',
  },
  {
    name: 'a tampered body (digest mismatch)',
    token: () => signEnvelope(base).token,
    body: '{"evil":true}',
    code: 'peer_signature_invalid',
  },
  {
    name: 'signed for another request target',
    token: () => signEnvelope(base).token,
    target: 'GET /api/v1/federation/changes?after=5&limit=10',
    code: 'peer_signature_invalid',
  },
  {
    name: 'a message for another receiver',
    token: () => signEnvelope({ ...base, to: 'sector-b' }).token,
    code: 'peer_signature_invalid',
  },
  {
    name: 'another kind of message',
    token: () => signEnvelope({ ...base, kind: 'changes.page' }).token,
    code: 'peer_signature_invalid',
  },
  {
    name: 'issued 6 minutes ago (beyond 300 s)',
    token: () => signEnvelope({ ...base, now: new Date(NOW.getTime() - 360_000) }).token,
    code: 'peer_clock_skew',
  },
  {
    name: 'issued 6 minutes in the future',
    token: () => signEnvelope({ ...base, now: new Date(NOW.getTime() + 360_000) }).token,
    code: 'peer_clock_skew',
  },
];

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    return isAppError(e) ? e.code : String(e);
  }
}

describe('the signed envelope', () => {
  it('accepts a well-signed request and answers its header', async () => {
    const { token, header } = signEnvelope(base);
    const got = await verifyEnvelope(token, { kind: 'changes.request', body: '', target: TARGET }, deps());
    expect(got).toEqual(header);
    expect(got.digest).toMatch(/^sha-256:/);
  });

  it('accepts a key retired within the grace period', async () => {
    const { token } = signEnvelope({ ...base, keyId: aliceOld.keyId, privateKey: aliceOld.privateKey });
    expect(
      await codeOf(verifyEnvelope(token, { kind: 'changes.request', body: '', target: TARGET }, deps())),
    ).toBe('accepted');
  });

  for (const c of REFUSALS) {
    it(`refuses ${c.name} with ${c.code}`, async () => {
      const d = deps();
      const late = c.name.startsWith('a key retired longer');
      const now = late ? new Date('2026-12-08T12:00:01Z') : NOW;
      const token = late
        ? signEnvelope({ ...base, keyId: aliceOld.keyId, privateKey: aliceOld.privateKey, now }).token
        : c.token();
      const code = await codeOf(
        verifyEnvelope(
          token,
          { kind: 'changes.request', body: c.body ?? '', target: c.target ?? TARGET },
          { ...d, now },
        ),
      );
      expect(code).toBe(c.code);
    });
  }

  it('refuses a replayed message (the same nonce twice) with peer_replay', async () => {
    const d = deps();
    const { token } = signEnvelope(base);
    const expectation = { kind: 'changes.request' as const, body: '', target: TARGET };
    expect(await codeOf(verifyEnvelope(token, expectation, d))).toBe('accepted');
    expect(await codeOf(verifyEnvelope(token, expectation, d))).toBe('peer_replay');
  });

  it('refuses an answer that does not answer our request or comes from another peer', async () => {
    const page = signEnvelope({
      ...base,
      kind: 'changes.page',
      target: undefined,
      replyTo: 'n1',
      body: '{}',
    });
    const expectation = { kind: 'changes.page' as const, body: '{}', replyTo: 'n2', from: 'alice' };
    expect(await codeOf(verifyEnvelope(page.token, expectation, deps()))).toBe('peer_signature_invalid');
    expect(
      await codeOf(verifyEnvelope(page.token, { ...expectation, replyTo: 'n1', from: 'bob' }, deps())),
    ).toBe('peer_signature_invalid');
    expect(await codeOf(verifyEnvelope(page.token, { ...expectation, replyTo: 'n1' }, deps()))).toBe(
      'accepted',
    );
  });
});
