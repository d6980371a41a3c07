/**
 * What the authenticator remembers per credential, and the frozen copy of it callers may see (the
 * private key never leaves the record).
 */
import type { KeyObject } from 'node:crypto';
import { COSE_ALGORITHM } from './cose.js';
import type { Algorithm, StoredCredential } from './types.js';

export interface CredentialRecord {
  id: Uint8Array;
  idB64: string;
  rpId: string;
  userHandle: string;
  userName: string;
  userDisplayName: string;
  algorithm: Algorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  cosePublicKey: Uint8Array;
  signCount: number;
  backupEligible: boolean;
  backupState: boolean;
  transports: string[];
  createdAt: number;
  /** Creation order, so the newest discoverable credential wins even within one millisecond. */
  seq: number;
}

/** A frozen, key-less copy of a record. */
export function snapshot(record: CredentialRecord): StoredCredential {
  return Object.freeze({
    id: record.idB64,
    rpId: record.rpId,
    userHandle: record.userHandle,
    userName: record.userName,
    userDisplayName: record.userDisplayName,
    algorithm: record.algorithm,
    publicKeyAlgorithm: COSE_ALGORITHM[record.algorithm],
    publicKey: new Uint8Array(record.cosePublicKey),
    signCount: record.signCount,
    discoverable: true,
    backupEligible: record.backupEligible,
    backupState: record.backupState,
    transports: Object.freeze([...record.transports]),
    createdAt: record.createdAt,
  });
}
