/**
 * Ed25519 keys of federation (node:crypto): create a pair, name a public key by its id, sign and verify bytes.
 * Public keys travel as SPKI PEM; a key id is the first 22 characters of the base64url SHA-256 of the SPKI DER.
 */
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface KeyPair {
  keyId: string;
  /** PKCS#8 PEM */
  privateKey: string;
  /** SPKI PEM */
  publicKey: string;
}

export function createKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyId: keyIdOf(publicPem),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicPem,
  };
}

/** A public key as given by a partner: SPKI PEM, or the base64 of its SPKI DER; undefined when not Ed25519. */
export function readPublicKey(text: string): KeyObject | undefined {
  const t = text.trim();
  try {
    const key = t.startsWith('-----BEGIN')
      ? createPublicKey(t)
      : createPublicKey({ key: Buffer.from(t, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

export function publicPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

export function publicBase64(pem: string): string {
  return createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
}

export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 22);
}

export function signBytes(privateKeyPem: string, data: Buffer): Buffer {
  return sign(null, data, privateKeyPem);
}

export function verifyBytes(publicKeyPem: string, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(null, data, publicKeyPem, signature);
  } catch {
    return false;
  }
}
