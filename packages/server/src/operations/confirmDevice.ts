import { operation, type Wire } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { deviceKeyRule, noSuchDevice } from './deviceShapes.js';
import { deviceVerifierFromConfig } from '../security/srp.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { Services } from '../services.js';

import type { ConfirmDeviceResponse } from '@aws-sdk/client-cognito-identity-provider';

/**
 * ConfirmDevice: stores the device SRP verifier of a device the caller's sign-in was handed
 * (NewDeviceMetadata), once. Remembered at once unless the pool's DeviceOnlyRememberedOnUserPrompt asks the
 * user first (UserConfirmationNecessary: then UpdateDeviceStatus remembers it).
 * @throws ResourceNotFoundException("Device does not exist.") for a key that is not the caller's unconfirmed
 *   device, or not the device of the access token's sign-in (its `device_key` claim); InvalidParameterException for
 *   a verifier config that is not one.
 */
export const ConfirmDevice = operation({
  auth: 'none',
  input: {
    AccessToken: common.accessToken(),
    DeviceKey: deviceKeyRule(),
    DeviceSecretVerifierConfig: v.obj({ PasswordVerifier: v.str({ min: 1, max: 2048 }), Salt: v.str({ min: 1, max: 256 }) }),
    DeviceName: v.str({ min: 1, max: 1024 }),
  },
  async handle(s: Pick<Services, 'store' | 'tokens' | 'clock'>, input): Promise<Wire<ConfirmDeviceResponse>> {
    const { pool, user, claims } = await authorizeAccessToken(s, input.AccessToken);
    // Only the sign-in that created the device confirms it (aws-amplify's getNewDeviceMetadata sends that sign-in's
    // access token, which carries the device in `device_key`): another token of the user may not claim it. Answered as
    // for a key that is not the caller's (Cognito's exact error for this case is not documented).
    if (claims.device_key !== input.DeviceKey) throw noSuchDevice();
    const cfg = input.DeviceSecretVerifierConfig;
    const verifier = cfg?.PasswordVerifier && cfg.Salt ? deviceVerifierFromConfig(cfg.PasswordVerifier, cfg.Salt) : undefined;
    if (!verifier) throw new InvalidParameterException('Invalid DeviceSecretVerifierConfig.');
    const onPrompt = pool.deviceConfiguration?.DeviceOnlyRememberedOnUserPrompt ?? false;
    const confirmed = await s.store.confirmDevice(
      pool.id,
      user.id,
      input.DeviceKey,
      { srpSalt: verifier.saltHex, srpVerifier: verifier.verifierHex, name: input.DeviceName ?? null, remembered: !onPrompt },
      s.clock.now(),
    );
    if (!confirmed) throw noSuchDevice();
    return { UserConfirmationNecessary: onPrompt };
  },
});
