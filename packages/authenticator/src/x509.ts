/**
 * Self-signed X.509 v3 certificates built with the DER encoder in der.ts and signed by node:crypto.
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import * as der from './der.js';

export interface CertificateSubject {
  /** countryName, two letters */
  C?: string;
  /** organizationName */
  O?: string;
  /** organizationalUnitName */
  OU?: string;
  /** commonName */
  CN: string;
}

export interface SelfSignedCertificateOptions {
  subject: CertificateSubject;
  /** Key pair whose public half is certified and whose private half signs (EC P-256, Ed25519 or RSA). */
  publicKey: KeyObject;
  privateKey: KeyObject;
  notBefore?: Date;
  notAfter?: Date;
  /** Big-endian serial number bytes (default: 16 random bytes) */
  serialNumber?: Uint8Array;
  /** Add a critical basicConstraints extension with cA = false (default true) */
  basicConstraints?: boolean;
}

const OID = {
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ed25519: '1.3.101.112',
} as const;

function encodeName(subject: CertificateSubject): Uint8Array {
  const rdn = (oid: string, value: Uint8Array) => der.set(der.sequence(der.objectIdentifier(oid), value));
  const parts: Uint8Array[] = [];
  if (subject.C !== undefined) parts.push(rdn(OID.countryName, der.printableString(subject.C)));
  if (subject.O !== undefined) parts.push(rdn(OID.organizationName, der.utf8String(subject.O)));
  if (subject.OU !== undefined) parts.push(rdn(OID.organizationalUnitName, der.utf8String(subject.OU)));
  parts.push(rdn(OID.commonName, der.utf8String(subject.CN)));
  return der.sequence(...parts);
}

function signatureAlgorithm(key: KeyObject): { identifier: Uint8Array; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return { identifier: der.sequence(der.objectIdentifier(OID.ecdsaWithSHA256)), digest: 'sha256' };
    case 'rsa':
      return {
        identifier: der.sequence(der.objectIdentifier(OID.sha256WithRSAEncryption), der.nullValue()),
        digest: 'sha256',
      };
    case 'ed25519':
      return { identifier: der.sequence(der.objectIdentifier(OID.ed25519)), digest: null };
    default:
      throw new TypeError(`Unsupported certificate key type ${key.asymmetricKeyType}`);
  }
}

/** Build and sign a self-signed certificate; returns its DER bytes. */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): Uint8Array<ArrayBuffer> {
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - 24 * 3600 * 1000);
  const notAfter = options.notAfter ?? new Date(now + 10 * 365 * 24 * 3600 * 1000);
  const serial =
    options.serialNumber ??
    (() => {
      const s = new Uint8Array(randomBytes(16));
      s[0] &= 0x7f;
      s[0] |= 0x01; // positive, and non-zero leading byte
      return s;
    })();
  const name = encodeName(options.subject);
  const { identifier, digest } = signatureAlgorithm(options.privateKey);
  const spki = new Uint8Array(options.publicKey.export({ type: 'spki', format: 'der' }));

  const extensions: Uint8Array[] = [];
  if (options.basicConstraints ?? true) {
    extensions.push(der.sequence(der.objectIdentifier(OID.basicConstraints), der.boolean(true), der.octetString(der.sequence())));
  }

  const tbs = der.sequence(
    der.explicit(0, der.integer(2)), // v3
    der.integer(serial),
    identifier,
    name, // issuer
    der.sequence(der.time(notBefore), der.time(notAfter)),
    name, // subject
    spki,
    ...(extensions.length ? [der.explicit(3, der.sequence(...extensions))] : []),
  );
  const signature = new Uint8Array(sign(digest, tbs, options.privateKey));
  return der.sequence(tbs, identifier, der.bitString(signature));
}
