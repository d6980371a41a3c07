import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { VirtualAuthenticator, RegistrationResponseJSON } from '@latchkey/virtual-authenticator';

export const ORIGIN = 'http://localhost:3000';
export const RP_ID = 'localhost';

export async function registrationOptions(extra: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {}) {
  return generateRegistrationOptions({
    rpName: 'Latchkey test',
    rpID: RP_ID,
    userName: 'alice',
    userDisplayName: 'Alice',
    attestationType: 'direct',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    ...extra,
  });
}

/** Register a credential and verify it; returns what an RP would store. */
export async function registerVerified(auth: VirtualAuthenticator, extra: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {}) {
  const options = await registrationOptions(extra);
  const response = await auth.createCredential(options);
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    requireUserVerification: true,
  });
  if (!verification.verified) throw new Error('registration did not verify');
  return { options, response, verification, credential: verification.registrationInfo.credential };
}

export async function authenticationOptions(extra: Partial<Parameters<typeof generateAuthenticationOptions>[0]> = {}) {
  return generateAuthenticationOptions({ rpID: RP_ID, userVerification: 'required', ...extra });
}

export type RpCredential = { id: string; publicKey: Uint8Array; counter: number; transports?: string[] };

export async function verifyAssertion(
  response: Awaited<ReturnType<VirtualAuthenticator['getAssertion']>>,
  challenge: string,
  credential: RpCredential,
  extra: Partial<Parameters<typeof verifyAuthenticationResponse>[0]> = {},
) {
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    credential: credential as Parameters<typeof verifyAuthenticationResponse>[0]['credential'],
    requireUserVerification: true,
    ...extra,
  });
}

export function decodeClientData(response: { response: { clientDataJSON: string } }): Record<string, unknown> {
  return JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
}

export type { RegistrationResponseJSON };
