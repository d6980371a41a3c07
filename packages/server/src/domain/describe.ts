import type { ClientRecord, PoolRecord, UserRecord } from '../storage/store.js';
import { Pool } from './pools.js';
import type { Wire } from '../operations/types.js';
import type {
  AuthFactorType,
  DeletionProtectionType,
  SchemaAttributeType,
  UserPoolClientDescription,
  UserPoolClientType,
  UserPoolDescriptionType,
  UserPoolMfaType,
  UserPoolTierType,
  UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';

const secs = (ms: number) => ms / 1000;

/** UserPoolType as the AWS SDK v3 models it. */
export function describePool(record: PoolRecord, region: string, estimatedUsers = 0): Wire<UserPoolType> {
  const pool = new Pool(record);
  const { Latchkey: _ext, WebAuthnConfiguration: _w, Schema: _input, ...rest } = record.config;
  const stored = rest as Wire<UserPoolType>;
  // The stored config passed CreateUserPool / UpdateUserPool validation, so its members and enum values are the wire's.
  // Members a pool leaves out read as the defaults Cognito returns for a new pool.
  return {
    ...stored,
    SchemaAttributes: pool.schema as SchemaAttributeType[],
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7, ...stored.AdminCreateUserConfig },
    EmailConfiguration: stored.EmailConfiguration ?? { EmailSendingAccount: 'COGNITO_DEFAULT' },
    VerificationMessageTemplate: stored.VerificationMessageTemplate ?? { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
    // The order Latchkey's ForgotPassword delivers in: the verified email first, then the verified phone number.
    AccountRecoverySetting: stored.AccountRecoverySetting ?? {
      RecoveryMechanisms: [
        { Priority: 1, Name: 'verified_email' },
        { Priority: 2, Name: 'verified_phone_number' },
      ],
    },
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: [], ...stored.UserAttributeUpdateSettings },
    UserPoolTags: stored.UserPoolTags ?? {},
    Id: record.id,
    Name: record.name,
    Arn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${record.id}`,
    Policies: {
      ...pool.policies,
      PasswordPolicy: pool.passwordPolicy,
      SignInPolicy: { AllowedFirstAuthFactors: pool.allowedFirstAuthFactors as AuthFactorType[] },
    },
    MfaConfiguration: pool.mfaConfiguration as UserPoolMfaType,
    UserPoolTier: pool.userPoolTier as UserPoolTierType,
    DeletionProtection: pool.deletionProtection as DeletionProtectionType,
    UsernameConfiguration: { CaseSensitive: pool.caseSensitive },
    EstimatedNumberOfUsers: estimatedUsers,
    LambdaConfig: pool.lambdaConfig as Wire<UserPoolType>['LambdaConfig'],
    CreationDate: secs(record.createdAt),
    LastModifiedDate: secs(record.updatedAt),
  };
}

/** UserPoolDescriptionType (ListUserPools items). */
export function summarizePool(record: PoolRecord): Wire<UserPoolDescriptionType> {
  return {
    Id: record.id,
    Name: record.name,
    LambdaConfig: new Pool(record).lambdaConfig as Wire<UserPoolDescriptionType>['LambdaConfig'],
    CreationDate: secs(record.createdAt),
    LastModifiedDate: secs(record.updatedAt),
  };
}

/** UserPoolClientType. */
export function describeClient(record: ClientRecord): Wire<UserPoolClientType> {
  const { LatchkeyAllowedOrigins: _o, ...c } = record.config;
  // The stored config passed CreateUserPoolClient / UpdateUserPoolClient validation.
  return {
    ...(c as Wire<UserPoolClientType>),
    UserPoolId: record.poolId,
    ClientName: record.name,
    ClientId: record.id,
    CreationDate: secs(record.createdAt),
    LastModifiedDate: secs(record.updatedAt),
  };
}

export function summarizeClient(record: ClientRecord): Wire<UserPoolClientDescription> {
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
