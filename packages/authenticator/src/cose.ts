/**
 * COSE_Key (RFC 9052/9053) encoding of credential public keys.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { encodeCBOR, decodeCBOR, type CBORValue } from './cbor.js';
import { fromBase64url, toBase64url } from './base64url.js';
import type { Algorithm } from './types.js';

/** COSE algorithm identifiers */
export const COSE_ALGORITHM: Readonly<Record<Algorithm, number>> = Object.freeze({ ES256: -7, EdDSA: -8, RS256: -257 });

export function algorithmFromCOSE(alg: number): Algorithm | undefined {
  return (Object.keys(COSE_ALGORITHM) as Algorithm[]).find((name) => COSE_ALGORITHM[name] === alg);
}

/** COSE key parameters */
const KTY = 1;
const ALG = 3;
const CRV_OR_N = -1;
const X_OR_E = -2;
const Y = -3;
const KTY_OKP = 1;
const KTY_EC2 = 2;
const KTY_RSA = 3;
const CRV_P256 = 1;
const CRV_ED25519 = 6;

/** Build the COSE_Key map for a public key (raw coordinates taken from its JWK export). */
export function publicKeyToCOSEMap(publicKey: KeyObject, algorithm: Algorithm): Map<number, CBORValue> {
  const jwk = publicKey.export({ format: 'jwk' });
  const b = (v: string | undefined, what: string) => {
    if (!v) throw new TypeError(`Public key JWK lacks ${what}`);
    return fromBase64url(v);
  };
  switch (algorithm) {
    case 'ES256':
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new TypeError('ES256 needs a P-256 key');
      return new Map<number, CBORValue>([
        [KTY, KTY_EC2],
        [ALG, COSE_ALGORITHM.ES256],
        [CRV_OR_N, CRV_P256],
        [X_OR_E, b(jwk.x, 'x')],
        [Y, b(jwk.y, 'y')],
      ]);
    case 'EdDSA':
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new TypeError('EdDSA needs an Ed25519 key');
      return new Map<number, CBORValue>([
        [KTY, KTY_OKP],
        [ALG, COSE_ALGORITHM.EdDSA],
        [CRV_OR_N, CRV_ED25519],
        [X_OR_E, b(jwk.x, 'x')],
      ]);
    case 'RS256':
      if (jwk.kty !== 'RSA') throw new TypeError('RS256 needs an RSA key');
      return new Map<number, CBORValue>([
        [KTY, KTY_RSA],
        [ALG, COSE_ALGORITHM.RS256],
        [CRV_OR_N, b(jwk.n, 'n')],
        [X_OR_E, b(jwk.e, 'e')],
      ]);
    default:
      throw new TypeError(`Unsupported algorithm ${String(algorithm)}`);
  }
}

/** CBOR-encoded COSE_Key for a public key. */
export function encodeCOSEPublicKey(publicKey: KeyObject, algorithm: Algorithm): Uint8Array<ArrayBuffer> {
  return encodeCBOR(publicKeyToCOSEMap(publicKey, algorithm));
}

/** Parse a CBOR COSE_Key (EC2 P-256, OKP Ed25519 or RSA) back into a node:crypto public KeyObject. */
export function publicKeyFromCOSE(cose: Uint8Array): KeyObject {
  const map = decodeCBOR(cose);
  if (!(map instanceof Map)) throw new TypeError('COSE_Key is not a CBOR map');
  const bytes = (label: number) => {
    const v = map.get(label);
    if (!(v instanceof Uint8Array)) throw new TypeError(`COSE_Key parameter ${label} missing`);
    return toBase64url(v);
  };
  let jwk: JsonWebKey;
  switch (map.get(KTY)) {
    case KTY_EC2:
      if (map.get(CRV_OR_N) !== CRV_P256) throw new TypeError('Only P-256 EC2 keys are supported');
      jwk = { kty: 'EC', crv: 'P-256', x: bytes(X_OR_E), y: bytes(Y) };
      break;
    case KTY_OKP:
      if (map.get(CRV_OR_N) !== CRV_ED25519) throw new TypeError('Only Ed25519 OKP keys are supported');
      jwk = { kty: 'OKP', crv: 'Ed25519', x: bytes(X_OR_E) };
      break;
    case KTY_RSA:
      jwk = { kty: 'RSA', n: bytes(CRV_OR_N), e: bytes(X_OR_E) };
      break;
    default:
      throw new TypeError(`Unsupported COSE key type ${String(map.get(KTY))}`);
  }
  return createPublicKey({ key: jwk, format: 'jwk' });
}
