import { expect } from 'vitest';
import {
  ConfirmDeviceCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { computePasswordClaim, createDeviceSecret, createSrpClientSession } from '../../../client/src/internal/srp.js';
import type { TestPool } from './pool.js';

/** What a client keeps of a confirmed device (aws-amplify's deviceMetadata). */
export interface TestDevice {
  deviceKey: string;
  groupKey: string;
  password: string;
}

/** The claims of a JWT (not verified: the server's tests of token verification are elsewhere). */
export const jwtClaims = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

/** ConfirmDevice for the NewDeviceMetadata of a sign-in, with a verifier made as aws-amplify makes it. */
export async function confirmNewDevice(
  client: CognitoIdentityProviderClient,
  result: AuthenticationResultType,
  name = 'Test device',
): Promise<TestDevice & { userConfirmationNecessary: boolean }> {
  const meta = result.NewDeviceMetadata;
  expect(meta?.DeviceKey).toBeTruthy();
  const secret = await createDeviceSecret(meta!.DeviceGroupKey!, meta!.DeviceKey!);
  const r = await client.send(
    new ConfirmDeviceCommand({
      AccessToken: result.AccessToken!,
      DeviceKey: meta!.DeviceKey!,
      DeviceName: name,
      DeviceSecretVerifierConfig: { PasswordVerifier: secret.PasswordVerifier, Salt: secret.Salt },
    }),
  );
  return {
    deviceKey: meta!.DeviceKey!,
    groupKey: meta!.DeviceGroupKey!,
    password: secret.randomPassword,
    userConfirmationNecessary: r.UserConfirmationNecessary!,
  };
}

/** USER_PASSWORD_AUTH presenting a DEVICE_KEY, as aws-amplify does once it has one. */
export function passwordSignInWithDevice(
  client: CognitoIdentityProviderClient,
  pool: TestPool,
  username: string,
  password: string,
  deviceKey?: string,
) {
  return client.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password, ...(deviceKey ? { DEVICE_KEY: deviceKey } : {}) },
    }),
  );
}

/** RespondToAuthChallenge DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A}: the DEVICE_PASSWORD_VERIFIER challenge and the client half. */
export async function answerDeviceSrpAuth(
  client: CognitoIdentityProviderClient,
  pool: TestPool,
  device: TestDevice,
  session: string,
  username: string,
) {
  const srp = createSrpClientSession();
  const out = await client.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'DEVICE_SRP_AUTH',
      Session: session,
      ChallengeResponses: { USERNAME: username, DEVICE_KEY: device.deviceKey, SRP_A: srp.srpA },
    }),
  );
  return { srp, out };
}

/** The DEVICE_PASSWORD_VERIFIER answer aws-amplify sends (the user SRP claim with the device's identity). */
export async function devicePasswordVerifierInput(
  pool: TestPool,
  device: TestDevice,
  challenge: RespondToAuthChallengeCommandOutput,
  srp: ReturnType<typeof createSrpClientSession>,
  password = device.password,
) {
  expect(challenge.ChallengeName).toBe('DEVICE_PASSWORD_VERIFIER');
  const p = challenge.ChallengeParameters!;
  const claim = await computePasswordClaim({
    session: srp,
    poolName: device.groupKey,
    userIdForSrp: device.deviceKey,
    password,
    srpB: p.SRP_B!,
    salt: p.SALT!,
    secretBlock: p.SECRET_BLOCK!,
  });
  return {
    ClientId: pool.clientId,
    ChallengeName: 'DEVICE_PASSWORD_VERIFIER' as const,
    Session: challenge.Session!,
    ChallengeResponses: { USERNAME: p.USERNAME!, DEVICE_KEY: device.deviceKey, ...claim } as Record<string, string>,
  };
}

/** The whole device step after a DEVICE_SRP_AUTH challenge → the final answer. */
export async function completeDeviceAuth(
  client: CognitoIdentityProviderClient,
  pool: TestPool,
  device: TestDevice,
  session: string,
  username: string,
) {
  const { srp, out } = await answerDeviceSrpAuth(client, pool, device, session, username);
  return client.send(new RespondToAuthChallengeCommand(await devicePasswordVerifierInput(pool, device, out, srp)));
}
