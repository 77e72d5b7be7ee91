// Key generation for the algorithms we sign with: ES256 (P-256), RS256 (RSA 2048), EdDSA (Ed25519). RFC 7518 §3, RFC 8037 §3.1.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { SigningAlg } from '../../config/config.js';
import type { MasterKey } from '../../lib/master-key.js';
import type { SigningKeyRecord } from '../../storage/storage.js';

function generatePair(alg: SigningAlg): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (alg) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'RS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
  }
}

/** A new key pair for `alg`, its kid the RFC 7638 thumbprint, the private part sealed with the master key. */
export async function generateSigningKey(alg: SigningAlg, masterKey: MasterKey, createdAt: number, activatesAt: number): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = generatePair(alg);
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  const privateJwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
  return {
    kid,
    alg,
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    sealedPrivateKey: masterKey.encrypt(privateJwk, `signing-key:${kid}`),
    createdAt,
    activatesAt,
  };
}
