import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { passkeyConfig } from '../auth/passkeyPolicy.js';
import { peekRegistration, verifyRegistration } from '../security/webauthn/index.js';
import { withWebAuthnErrors } from '../auth/securityErrors.js';
import { friendlyName, lookupAaguid } from '../domain/aaguids.js';
import { lifecycleEvent, noticePasskeyChange } from '../auth/events.js';
import {
  LimitExceededException,
  WebAuthnChallengeNotFoundException,
  WebAuthnClientMismatchException,
  WebAuthnCredentialNotSupportedException,
} from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { CompleteWebAuthnRegistrationResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * CompleteWebAuthnRegistration: looks the challenge up, verifies the registration fully, then consumes
 * the challenge in the same transaction as the passkey insert (one of N concurrent calls wins) under
 * the per-user limit; a failed verification consumes it too. A retried
 * Complete of a credential this user already registered answers `{}` (Amplify retries after a 5xx).
 * User presence is required unless the challenge was started with LatchkeyConditionalCreate (single-use
 * like any challenge, so one silent registration per such Start).
 */
export const CompleteWebAuthnRegistration = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), Credential: v.doc({ required: true, maxBytes: 64 * 1024 }) },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock' | 'log' | 'sender' | 'box'>,
    { AccessToken, Credential },
  ): Promise<Wire<CompleteWebAuthnRegistrationResponse>> {
    // The credential is parsed first so that the passkey of its id and its challenge are read with the token's state
    // (one read). A malformed one is refused below, after the token and the pool's passkey settings, as before.
    const parsed: { value?: { challenge: string; credentialId: string } } = {};
    const {
      pool,
      client,
      user,
      claims,
      passkey: existing,
      challenge: pending,
    } = await authorizeAccessToken(s, AccessToken, async () => {
      parsed.value = await withWebAuthnErrors('registration', () => peekRegistration(Credential)).catch(() => undefined);
      const v = parsed.value;
      return v ? { passkey: v.credentialId, challenge: { challenge: v.challenge, now: s.clock.now() } } : {};
    });
    const { rpId, userVerification } = passkeyConfig(pool, { needRpId: true });
    // Throws the parse error when the first parse failed.
    parsed.value ??= await withWebAuthnErrors('registration', () => peekRegistration(Credential));
    if (existing) {
      if (existing.userId === user.id) return {};
      throw new WebAuthnCredentialNotSupportedException('This credential is already registered.', 'credential id of another user');
    }
    if (!pending || pending.poolId !== pool.id || pending.userId !== user.id) {
      throw new WebAuthnChallengeNotFoundException(
        'The challenge was not found or has expired.',
        pending ? 'challenge of another user' : 'unknown, used or expired',
      );
    }
    const settings = pool.latchkey;
    let verified: Awaited<ReturnType<typeof verifyRegistration>>;
    try {
      if (pending.clientId !== claims.client_id)
        throw new WebAuthnClientMismatchException('The registration was started by another app client.');
      verified = await withWebAuthnErrors('registration', () =>
        verifyRegistration({
          credential: Credential,
          expectedChallenge: pending.challenge,
          expectedOrigins: client.allowedOrigins,
          rpId,
          userVerification,
          attestation: settings.attestation,
          // Without UP only when this challenge's Start asked for a conditional create; never otherwise.
          requireUserPresence: pending.conditionalCreate !== true,
        }),
      );
    } catch (err) {
      // A failed attempt spends the challenge: one try per challenge, right or wrong.
      await s.store.consumeChallenge(pending.challenge, s.clock.now());
      throw err;
    }
    const now = s.clock.now();
    const result = await s.store.addPasskey(
      {
        poolId: pool.id,
        userId: user.id,
        credentialId: verified.credentialId,
        publicKey: verified.publicKey,
        algorithm: verified.algorithm,
        signCount: verified.signCount,
        transports: verified.transports,
        attachment: verified.authenticatorAttachment ?? null,
        aaguid: verified.aaguid,
        backupEligible: verified.backupEligible,
        backupState: verified.backupState,
        userVerified: verified.userVerified,
        fmt: verified.fmt,
        friendlyName: friendlyName(verified.aaguid, verified.authenticatorAttachment),
        relyingPartyId: rpId,
        createdAt: now,
        lastUsedAt: null,
        cloneWarnings: 0,
      },
      settings.maxPasskeysPerUser,
      pending.challenge,
      [
        lifecycleEvent(s, pool, user, 'passkey.registered', {
          credentialId: verified.credentialId,
          provider: lookupAaguid(verified.aaguid) ?? null,
          aaguid: verified.aaguid,
          clientId: client.id,
        }),
      ],
    );
    if (result === 'limit')
      throw new LimitExceededException(`The user already has the maximum number of passkeys (${settings.maxPasskeysPerUser}).`);
    if (result === 'challenge-gone')
      throw new WebAuthnChallengeNotFoundException('The challenge was not found or has expired.', 'consumed concurrently');
    if (result === 'exists-other-user')
      throw new WebAuthnCredentialNotSupportedException('This credential is already registered.', 'credential id of another user');
    s.log.info(
      { poolId: pool.id, userId: user.id, fmt: verified.fmt, aaguid: verified.aaguid, conditional: pending.conditionalCreate === true },
      result === 'added' ? 'passkey registered' : 'passkey registration repeated',
    );
    if (result === 'added') noticePasskeyChange(s, pool, user, 'added', lookupAaguid(verified.aaguid) ?? null);
    return {};
  },
});
