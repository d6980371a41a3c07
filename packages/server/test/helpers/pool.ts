import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
  type CognitoIdentityProviderClient,
  type SchemaAttributeType,
} from '@aws-sdk/client-cognito-identity-provider';

export interface TestPool {
  userPoolId: string;
  clientId: string;
}

/** A pool like the development one: passwords and passkeys, RP ID localhost, every flow on a public client. */
export async function createTestPool(
  admin: CognitoIdentityProviderClient,
  opts: {
    factors?: ('PASSWORD' | 'WEB_AUTHN' | 'EMAIL_OTP' | 'SMS_OTP')[];
    userVerification?: 'required' | 'preferred';
    rpId?: string | null;
    usernameAttributes?: 'email'[];
    aliasAttributes?: 'email'[];
    flows?: string[];
    preventUserExistenceErrors?: 'ENABLED' | 'LEGACY';
    passwordPolicy?: Record<string, unknown>;
    generateSecret?: boolean;
    deviceConfiguration?: { ChallengeRequiredOnNewDevice?: boolean; DeviceOnlyRememberedOnUserPrompt?: boolean };
    /** CreateUserPool's Schema (custom attributes, or adjustments of standard ones). */
    schema?: SchemaAttributeType[];
    /** UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate (email is auto-verified). */
    verifyBeforeUpdate?: 'email'[];
  } = {},
): Promise<TestPool> {
  const pool = await admin.send(
    new CreateUserPoolCommand({
      PoolName: `test-${Date.now()}`,
      Policies: {
        PasswordPolicy: (opts.passwordPolicy as never) ?? {
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
        },
        SignInPolicy: { AllowedFirstAuthFactors: opts.factors ?? ['PASSWORD', 'WEB_AUTHN'] },
      },
      AutoVerifiedAttributes: ['email'],
      ...(opts.usernameAttributes ? { UsernameAttributes: opts.usernameAttributes } : {}),
      ...(opts.aliasAttributes ? { AliasAttributes: opts.aliasAttributes } : {}),
      ...(opts.deviceConfiguration ? { DeviceConfiguration: opts.deviceConfiguration } : {}),
      ...(opts.schema ? { Schema: opts.schema } : {}),
      ...(opts.verifyBeforeUpdate
        ? { UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: opts.verifyBeforeUpdate } }
        : {}),
    }),
  );
  const userPoolId = pool.UserPool!.Id!;
  if (opts.rpId !== null) {
    await admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: userPoolId,
        WebAuthnConfiguration: { RelyingPartyId: opts.rpId ?? 'localhost', UserVerification: opts.userVerification ?? 'preferred' },
      }),
    );
  }
  const client = await admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'web',
      GenerateSecret: opts.generateSecret ?? false,
      ExplicitAuthFlows: (opts.flows as never) ?? [
        'ALLOW_USER_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      ],
      PreventUserExistenceErrors: opts.preventUserExistenceErrors ?? 'ENABLED',
    }),
  );
  return { userPoolId, clientId: client.UserPoolClient!.ClientId! };
}
