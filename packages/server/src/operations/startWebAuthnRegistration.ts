import { operation, type Wire } from './types.js';
import { common, v } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { passkeyConfig } from '../auth/passkeyPolicy.js';
import { randomChallenge } from '../security/webauthn/index.js';
import { LimitExceededException } from '../protocol/errors.js';
import type { Services } from '../services.js';
import type { StartWebAuthnRegistrationResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * How many existing passkeys excludeCredentials lists: every one a user can hold. No pool allows more than 100
 * (maxPasskeysPerUser), and a lowered limit leaves at most that many behind.
 */
const MAX_EXCLUDED = 200;

/**
 * StartWebAuthnRegistration → CredentialCreationOptions (a JSON object). The challenge is stored:
 * single-use, bound to pool, user and app client, expiring with the registration timeout. The Latchkey
 * extension `LatchkeyConditionalCreate: true` (the browser's automatic passkey upgrade) is stored with the
 * challenge: only a registration answering it may lack user presence (CompleteWebAuthnRegistration).
 * @throws NotAuthorizedException, LimitExceededException, WebAuthnConfigurationMissingException
 */
export const StartWebAuthnRegistration = operation({
  auth: 'none',
  input: { AccessToken: common.accessToken(), LatchkeyConditionalCreate: v.bool() },
  async handle(
    s: Pick<Services, 'store' | 'tokens' | 'clock'>,
    { AccessToken, LatchkeyConditionalCreate = false },
  ): Promise<Wire<StartWebAuthnRegistrationResponse>> {
    // The passkeys to exclude are read with the token's state (one read); the limit is checked on passkeyCount.
    const {
      pool,
      client,
      user,
      passkeys: existing = [],
    } = await authorizeAccessToken(s, AccessToken, () => ({
      passkeys: { limit: MAX_EXCLUDED },
    }));
    const { rpId, userVerification } = passkeyConfig(pool, { needRpId: true });
    const settings = pool.latchkey;
    if (user.passkeyCount >= settings.maxPasskeysPerUser) {
      throw new LimitExceededException(`The user already has the maximum number of passkeys (${settings.maxPasskeysPerUser}).`);
    }
    const challenge = randomChallenge(16);
    await s.store.putChallenge({
      challenge,
      kind: 'registration',
      poolId: pool.id,
      userId: user.id,
      clientId: client.id,
      expiresAt: s.clock.now() + settings.registrationTimeoutMs,
      conditionalCreate: LatchkeyConditionalCreate,
    });
    return {
      CredentialCreationOptions: {
        rp: { id: rpId, name: rpId },
        user: {
          id: Buffer.from(user.id, 'utf8').toString('base64url'),
          name: user.username,
          displayName: user.attributes.name ?? user.attributes.email ?? user.username,
        },
        challenge,
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -8 },
          { type: 'public-key', alg: -257 },
        ],
        timeout: settings.registrationTimeoutMs,
        excludeCredentials: existing.map((p) => ({
          type: 'public-key',
          id: p.credentialId,
          ...(p.transports.length ? { transports: p.transports } : {}),
        })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification },
        attestation: settings.attestation,
        extensions: { credProps: true },
      },
    };
  },
});
