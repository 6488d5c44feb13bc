/**
 * The one signed envelope of every message between peers (docs/FEDERATION.md). A compact, JWS-like token
 *   base64url(header JSON) "." base64url(Ed25519 signature over the ASCII bytes of the first part)
 * carried in the `Vulnshare-Signature` HTTP header beside the body. The header binds the body by its SHA-256
 * digest, names sender and receiver, the signing key, a fresh nonce, the time, what the message is (`kind`)
 * and — for a request — its method and path with query (`target`); an answer names the request's nonce
 * (`replyTo`). Verification is pure: who the peers are, which nonces were seen and the clock are passed in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { signBytes, verifyBytes } from './keys.js';

export const SIGNATURE_HEADER = 'vulnshare-signature';
export const PROTOCOL_VERSION = 1;

/**
 * What a message is: the change feed's request and page, the answer to a message (`message.ack`), and the
 * messages of src/peers/messages.ts (push hints, advance notices; case hand-over and ID delegation add theirs).
 */
export const MESSAGE_KINDS = [
  'changes.request',
  'changes.page',
  'message.ack',
  'changes.hint',
  'notice.share',
  'notice.release',
  'notice.withdraw',
  // case hand-over (src/peers/handover.ts)
  'case.handover',
  'case.update',
  // ID delegation (src/peers/delegation.ts)
  'ids.delegate',
  'ids.request',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface EnvelopeHeader {
  v: number;
  kind: MessageKind;
  from: string;
  to: string;
  keyId: string;
  nonce: string;
  /** RFC 3339, the sender's clock */
  issuedAt: string;
  /** "sha-256:" + base64url of the SHA-256 of the body bytes (of nothing for a GET) */
  digest: string;
  /** a request: "GET /api/v1/federation/changes?after=12&limit=100" */
  target?: string;
  /** an answer: the nonce of the request it answers */
  replyTo?: string;
}

export function digestOf(body: Buffer | string): string {
  return `sha-256:${createHash('sha256').update(body).digest('base64url')}`;
}

export interface SignInput {
  kind: MessageKind;
  from: string;
  to: string;
  keyId: string;
  privateKey: string;
  body: Buffer | string;
  now: Date;
  target?: string;
  replyTo?: string;
  nonce?: string;
}

export function signEnvelope(i: SignInput): { token: string; header: EnvelopeHeader } {
  const header: EnvelopeHeader = {
    v: PROTOCOL_VERSION,
    kind: i.kind,
    from: i.from,
    to: i.to,
    keyId: i.keyId,
    nonce: i.nonce ?? randomBytes(16).toString('base64url'),
    issuedAt: i.now.toISOString(),
    digest: digestOf(i.body),
    ...(i.target !== undefined ? { target: i.target } : {}),
    ...(i.replyTo !== undefined ? { replyTo: i.replyTo } : {}),
  };
  const first = Buffer.from(JSON.stringify(header)).toString('base64url');
  const sig = signBytes(i.privateKey, Buffer.from(first, 'ascii')).toString('base64url');
  return { token: `${first}.${sig}`, header };
}

/** One public key of a peer as we hold it. */
export interface PeerKey {
  keyId: string;
  publicKey: string;
  state: 'active' | 'retired' | 'revoked';
  /** when it was retired (RFC 3339); a retired key verifies for the grace period after */
  retiredAt?: string | null;
}

export interface VerifyDeps {
  /** Our own instance name: a message for another receiver is refused. */
  self: string;
  /** The keys of a peer by its name, or null when no such peer (or it is suspended). */
  keysOf(name: string): Promise<PeerKey[] | null>;
  /** Remember a nonce of a sender; false when it was seen within the window. */
  rememberNonce(from: string, nonce: string, at: Date): Promise<boolean>;
  now: Date;
  /** allowed difference between issuedAt and now, ms (Config.peers.clockSkewSeconds) */
  skewMs: number;
  /** how long a retired key still verifies, ms */
  graceMs: number;
}

export interface Expectation {
  /** the kind due, or any of several (the message endpoint takes every message kind) */
  kind: MessageKind | readonly MessageKind[];
  body: Buffer | string;
  target?: string;
  replyTo?: string;
  /** the sender we expect (an answer must come from the peer we asked) */
  from?: string;
}

const refuse = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('peer_signature_invalid', message, details);

function parseHeader(token: string): { header: EnvelopeHeader; first: string; sig: Buffer } {
  const parts = token.split('.');
  const [first, sig] = parts;
  if (parts.length !== 2 || !first || !sig) throw refuse('the signature token is not header.signature');
  let h: unknown;
  try {
    h = JSON.parse(Buffer.from(first, 'base64url').toString('utf8'));
  } catch {
    throw refuse('the signature header is not JSON');
  }
  const o = h as Record<string, unknown>;
  const str = (k: string) => {
    const v = o[k];
    return typeof v === 'string' && v.length > 0;
  };
  if (
    typeof h !== 'object' ||
    h === null ||
    o.v !== PROTOCOL_VERSION ||
    !['from', 'to', 'keyId', 'nonce', 'issuedAt', 'digest', 'kind'].every(str) ||
    !(MESSAGE_KINDS as readonly unknown[]).includes(o.kind)
  )
    throw refuse('the signature header lacks a field or has an unknown version or kind');
  return { header: h as EnvelopeHeader, first, sig: Buffer.from(sig, 'base64url') };
}

/**
 * Verify a message; answers its header, or throws the AppError naming the refusal: peer_unknown,
 * peer_key_unknown, peer_signature_invalid (signature, digest, receiver, kind, target or reply), peer_clock_skew,
 * peer_replay. The nonce is remembered only for a message that passed every other check.
 */
export async function verifyEnvelope(
  token: string | undefined,
  expect: Expectation,
  deps: VerifyDeps,
): Promise<EnvelopeHeader> {
  if (!token) throw refuse('the message carries no Vulnshare-Signature');
  const { header, first, sig } = parseHeader(token);
  const from = header.from;
  if (expect.from !== undefined && from !== expect.from)
    throw refuse(`the answer is signed by "${from}", not by "${expect.from}"`, { from });
  const keys = await deps.keysOf(from);
  if (!keys) throw new AppError('peer_unknown', `"${from}" is not a peer of this instance`, { from });
  const key = keys.find((k) => k.keyId === header.keyId);
  if (!key || key.state === 'revoked')
    throw new AppError(
      'peer_key_unknown',
      `key ${header.keyId} is ${key ? 'revoked' : 'not a key'} of peer "${from}"`,
      { from, keyId: header.keyId },
    );
  if (key.state === 'retired') {
    const retired = key.retiredAt ? Date.parse(key.retiredAt) : NaN;
    if (!(deps.now.getTime() - retired <= deps.graceMs))
      throw new AppError('peer_key_unknown', `key ${header.keyId} of "${from}" was retired too long ago`, {
        from,
        keyId: header.keyId,
      });
  }
  if (!verifyBytes(key.publicKey, Buffer.from(first, 'ascii'), sig))
    throw refuse(`the signature of "${from}" does not verify`, { from });
  if (header.digest !== digestOf(expect.body))
    throw refuse(`the body does not match the digest "${from}" signed (tampered)`, { from });
  if (header.to !== deps.self) throw refuse(`the message is for "${header.to}", not for us`, { from });
  const due: readonly MessageKind[] = typeof expect.kind === 'string' ? [expect.kind] : expect.kind;
  if (!due.includes(header.kind))
    throw refuse(`a ${header.kind} where a ${due.join(' or ')} was due`, { from });
  if (expect.target !== undefined && header.target !== expect.target)
    throw refuse(`signed for ${header.target ?? 'no target'}, received as ${expect.target}`, { from });
  if (expect.replyTo !== undefined && header.replyTo !== expect.replyTo)
    throw refuse('the answer does not answer our request', { from });
  const issued = Date.parse(header.issuedAt);
  const skew = Math.abs(deps.now.getTime() - issued);
  if (!Number.isFinite(issued) || skew > deps.skewMs)
    throw new AppError(
      'peer_clock_skew',
      `"${from}" signed at ${header.issuedAt}, ${Number.isFinite(skew) ? Math.round(skew / 1000) : '?'} s from our clock (allowed ${deps.skewMs / 1000} s)`,
      { from, issuedAt: header.issuedAt },
    );
  if (!(await deps.rememberNonce(from, header.nonce, deps.now)))
    throw new AppError('peer_replay', `nonce ${header.nonce} of "${from}" was seen already`, {
      from,
      nonce: header.nonce,
    });
  return header;
}
