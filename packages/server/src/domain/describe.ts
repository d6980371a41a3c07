import type { ClientRecord, PoolRecord, UserRecord } from '../storage/store.js';
import { Pool } from './pools.js';

const secs = (ms: number) => ms / 1000;

/** UserPoolType as the AWS SDK v3 models it. */
export function describePool(record: PoolRecord, region: string, estimatedUsers = 0) {
  const pool = new Pool(record);
  const { Latchkey: _ext, WebAuthnConfiguration: _w, ...rest } = record.config;
  return {
    ...rest,
    Id: record.id,
    Name: record.name,
    Arn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${record.id}`,
    Policies: {
      ...pool.policies,
      PasswordPolicy: pool.passwordPolicy,
      SignInPolicy: { AllowedFirstAuthFactors: pool.allowedFirstAuthFactors },
    },
    MfaConfiguration: pool.mfaConfiguration,
    UserPoolTier: pool.userPoolTier,
    DeletionProtection: pool.deletionProtection,
    UsernameConfiguration: { CaseSensitive: pool.caseSensitive },
    EstimatedNumberOfUsers: estimatedUsers,
    LambdaConfig: {},
    CreationDate: secs(record.createdAt),
    LastModifiedDate: secs(record.updatedAt),
  };
}

/** UserPoolDescriptionType (ListUserPools items). */
export function summarizePool(record: PoolRecord) {
  return {
    Id: record.id,
    Name: record.name,
    LambdaConfig: {},
    CreationDate: secs(record.createdAt),
    LastModifiedDate: secs(record.updatedAt),
  };
}

/** UserPoolClientType. */
export function describeClient(record: ClientRecord) {
  const { LatchkeyAllowedOrigins: _o, ...c } = record.config;
  return {
    ...c,
    UserPoolId: record.poolId,
    ClientName: record.name,
    ClientId: record.id,
    CreationDate: secs(record.createdAt),
    LastModifiedDate: secs(record.updatedAt),
  };
}

export function summarizeClient(record: ClientRecord) {
  return { ClientId: record.id, UserPoolId: record.poolId, ClientName: record.name };
}

/** The attributes a user has on the wire, `sub` first, as [{Name, Value}]. */
export function userAttributes(user: UserRecord) {
  return [
    { Name: 'sub', Value: user.id },
    ...Object.entries(user.attributes)
      .filter(([k]) => k !== 'sub')
      .map(([Name, Value]) => ({ Name, Value })),
  ];
}

/** UserType (ListUsers, AdminCreateUser). */
export function describeUser(user: UserRecord) {
  return {
    Username: user.username,
    Attributes: userAttributes(user),
    UserCreateDate: secs(user.createdAt),
    UserLastModifiedDate: secs(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}
