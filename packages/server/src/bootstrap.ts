import type { Services } from './services.js';
import { registry } from './operations/registry.js';
import { POOL_OPTIONS } from './config/defaults.js';
import type { RequestContext } from './services.js';

export interface DevPool {
  userPoolId: string;
  userPoolClientId: string;
  created: boolean;
}

const ctx: RequestContext = { requestId: 'bootstrap' };

/**
 * On an empty store, creates the development pool (passkeys on, RP ID `localhost`) and a public app
 * client with every auth flow; afterwards the same ids are reused. Runs the real operations so the
 * records are exactly what the API would create.
 */
export async function bootstrapDevPool(s: Services): Promise<DevPool> {
  const existing = await s.store.getMeta('dev_pool');
  if (existing) {
    const dev = JSON.parse(existing) as DevPool;
    if (await s.store.getPool(dev.userPoolId)) return { ...dev, created: false };
  }
  const pools = await s.store.listPools(1);
  if (pools.length > 0 && !existing) {
    const clients = await s.store.listClients(pools[0]!.id, 1);
    if (clients[0]) return { userPoolId: pools[0]!.id, userPoolClientId: clients[0].id, created: false };
  }
  const { UserPool } = (await registry.CreateUserPool!.handle(
    s,
    {
      PoolName: 'latchkey-dev',
      Policies: {
        // A development pool takes any password of the default length: character classes are not asked.
        PasswordPolicy: {
          ...POOL_OPTIONS.PasswordPolicy.default,
          RequireUppercase: false,
          RequireLowercase: false,
          RequireNumbers: false,
          RequireSymbols: false,
        },
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] },
      },
      AliasAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UserPoolTier: 'ESSENTIALS',
    },
    ctx,
  )) as { UserPool: { Id: string } };
  await registry.SetUserPoolMfaConfig!.handle(
    s,
    {
      UserPoolId: UserPool.Id,
      WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: POOL_OPTIONS.UserVerification.default },
    },
    ctx,
  );
  const { UserPoolClient } = (await registry.CreateUserPoolClient!.handle(
    s,
    {
      UserPoolId: UserPool.Id,
      ClientName: 'latchkey-dev-web',
      ExplicitAuthFlows: [
        'ALLOW_USER_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      ],
    },
    ctx,
  )) as { UserPoolClient: { ClientId: string } };
  const dev = { userPoolId: UserPool.Id, userPoolClientId: UserPoolClient.ClientId };
  const stored = JSON.parse(await s.store.getOrPutMeta('dev_pool', JSON.stringify(dev))) as DevPool;
  return { ...stored, created: stored.userPoolId === dev.userPoolId };
}

/** The exact Amplify.configure block for a pool, printed at start-up. */
export function amplifyConfigSnippet(endpoint: string, dev: { userPoolId: string; userPoolClientId: string }): string {
  return `import { Amplify } from 'aws-amplify';

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: '${dev.userPoolId}',
      userPoolClientId: '${dev.userPoolClientId}',
      userPoolEndpoint: '${endpoint}',
      loginWith: { email: true },
    },
  },
});`;
}
