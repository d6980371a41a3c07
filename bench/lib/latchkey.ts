/**
 * Setup of the benchmarked pool (AWS SDK, admin keys from the environment the server was given) and
 * the measured ceremonies (raw JSON protocol through the load generator's keep-alive Endpoint).
 */
import http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import type { Endpoint } from './http.js';
import { makeEphemeral, passwordClaim, userKey, type Ephemeral, type SrpUserKey } from './srpClient.js';
// The real client implementation (pure JS BigInt, as in a browser), used once to validate the fast one.
import { computePasswordClaim, createSrpClientSession } from '../../packages/client/dist/internal/srp.js';
import { TARGET_PREFIX } from '@latchkey/wire';

export const PASSWORD = 'Bench-Passw0rd!';
export const ORIGIN = 'http://localhost:3000';

export interface AdminKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignInUser {
  username: string;
  authenticator: VirtualAuthenticator;
  srp?: SrpUserKey;
}

export interface TokenUser {
  username: string;
  accessToken: string;
  registered: number;
}

export interface BenchState {
  poolId: string;
  poolName: string;
  clientId: string;
  signIn: SignInUser[];
  register: TokenUser[];
  list: TokenUser;
  ephemerals: Ephemeral[];
  regCursor: number;
}

export type ScenarioId = 'signin' | 'signin-es256' | 'register' | 'list' | 'srp' | 'password';

export const SCENARIOS: Record<ScenarioId, { label: string; requests: number }> = {
  signin: { label: '(a) passkey sign-in, RS256 tokens', requests: 2 },
  'signin-es256': { label: '(a′) passkey sign-in, ES256 tokens', requests: 2 },
  register: { label: '(b) passkey registration', requests: 2 },
  list: { label: '(c) ListWebAuthnCredentials (20 passkeys)', requests: 1 },
  srp: { label: '(d) SRP sign-in', requests: 2 },
  password: { label: '(e) USER_PASSWORD_AUTH sign-in', requests: 1 },
};

async function pMap<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** SigV4-signed call of a Latchkey-only admin operation (the AWS SDK has no command for them). */
export async function latchkeyAdmin(ep: Endpoint, keys: AdminKeys, target: string, body: unknown): Promise<any> {
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ service: 'cognito-idp', region: 'us-east-1', credentials: keys, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: ep.host,
    port: ep.port,
    path: '/',
    query: {},
    headers: {
      host: `${ep.host}:${ep.port}`,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET_PREFIX}${target}`,
    },
    body: text,
  });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: ep.host,
        port: ep.port,
        method: 'POST',
        path: '/',
        headers: { ...signed.headers, 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${target} → HTTP ${res.statusCode} ${raw.slice(0, 300)}`));
          else resolve(raw ? JSON.parse(raw) : {});
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

export async function setTokenAlg(ep: Endpoint, keys: AdminKeys, poolId: string, alg: 'RS256' | 'ES256'): Promise<void> {
  await latchkeyAdmin(ep, keys, 'LatchkeyUpdateUserPoolSettings', { UserPoolId: poolId, Settings: { tokenSigningAlg: alg } });
}

async function passwordToken(ep: Endpoint, clientId: string, username: string): Promise<string> {
  const r = await ep.ok('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: clientId,
    AuthParameters: { USERNAME: username, PASSWORD },
  });
  const t = r?.AuthenticationResult?.AccessToken;
  if (!t) throw new Error(`no access token for ${username}: ${JSON.stringify(r).slice(0, 200)}`);
  return t;
}

/** StartWebAuthnRegistration → authenticator → CompleteWebAuthnRegistration. */
export async function registerPasskey(ep: Endpoint, accessToken: string, authenticator: VirtualAuthenticator): Promise<void> {
  const start = await ep.ok('StartWebAuthnRegistration', { AccessToken: accessToken });
  const credential = await authenticator.createCredential(start.CredentialCreationOptions);
  await ep.ok('CompleteWebAuthnRegistration', { AccessToken: accessToken, Credential: credential });
}

/** InitiateAuth USER_AUTH (WEB_AUTHN) → assertion → RespondToAuthChallenge → tokens. */
export async function passkeySignIn(ep: Endpoint, clientId: string, user: SignInUser): Promise<void> {
  const init = await ep.ok('InitiateAuth', {
    AuthFlow: 'USER_AUTH',
    ClientId: clientId,
    AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
  });
  if (init.ChallengeName !== 'WEB_AUTHN') throw new Error(`expected WEB_AUTHN, got ${JSON.stringify(init).slice(0, 200)}`);
  const assertion = await user.authenticator.getAssertion(JSON.parse(init.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS));
  const done = await ep.ok('RespondToAuthChallenge', {
    ChallengeName: 'WEB_AUTHN',
    ClientId: clientId,
    Session: init.Session,
    ChallengeResponses: { USERNAME: user.username, CREDENTIAL: JSON.stringify(assertion) },
  });
  if (!done.AuthenticationResult?.AccessToken) throw new Error(`no tokens: ${JSON.stringify(done).slice(0, 200)}`);
}

/** USER_SRP_AUTH → PASSWORD_VERIFIER with the fast client (user key precomputed). */
export async function srpSignIn(ep: Endpoint, st: BenchState, user: SignInUser, eph: Ephemeral): Promise<void> {
  const init = await ep.ok('InitiateAuth', {
    AuthFlow: 'USER_SRP_AUTH',
    ClientId: st.clientId,
    AuthParameters: { USERNAME: user.username, SRP_A: eph.srpA },
  });
  const p = init.ChallengeParameters;
  if (init.ChallengeName !== 'PASSWORD_VERIFIER' || !user.srp || p.USER_ID_FOR_SRP !== user.srp.userIdForSrp)
    throw new Error(`unexpected SRP challenge ${JSON.stringify(init).slice(0, 200)}`);
  const claim = passwordClaim(st.poolName, user.srp, eph, p.SRP_B, p.SECRET_BLOCK);
  const done = await ep.ok('RespondToAuthChallenge', {
    ChallengeName: 'PASSWORD_VERIFIER',
    ClientId: st.clientId,
    Session: init.Session,
    ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP, ...claim },
  });
  if (!done.AuthenticationResult?.AccessToken) throw new Error(`no tokens: ${JSON.stringify(done).slice(0, 200)}`);
}

/** Learns the user's salt and id (one USER_SRP_AUTH with the real client library) and precomputes x, v. */
async function prepareSrpUser(ep: Endpoint, st: BenchState, user: SignInUser, withRealClient: boolean): Promise<void> {
  const session = createSrpClientSession();
  const init = await ep.ok('InitiateAuth', {
    AuthFlow: 'USER_SRP_AUTH',
    ClientId: st.clientId,
    AuthParameters: { USERNAME: user.username, SRP_A: session.srpA },
  });
  const p = init.ChallengeParameters;
  user.srp = userKey(st.poolName, p.USER_ID_FOR_SRP, PASSWORD, p.SALT);
  const claim = withRealClient
    ? await computePasswordClaim({
        session,
        poolName: st.poolName,
        userIdForSrp: p.USER_ID_FOR_SRP,
        password: PASSWORD,
        srpB: p.SRP_B,
        salt: p.SALT,
        secretBlock: p.SECRET_BLOCK,
      })
    : passwordClaim(st.poolName, user.srp, { a: session.a, A: session.A, srpA: session.srpA }, p.SRP_B, p.SECRET_BLOCK);
  const done = await ep.ok('RespondToAuthChallenge', {
    ChallengeName: 'PASSWORD_VERIFIER',
    ClientId: st.clientId,
    Session: init.Session,
    ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP, ...claim },
  });
  if (!done.AuthenticationResult?.AccessToken) throw new Error('SRP setup sign-in failed');
}

export interface SetupOptions {
  signInUsers: number;
  registerUsers: number;
  listPasskeys: number;
  ephemerals: number;
  log: (msg: string) => void;
}

/**
 * A pool like the development one (passwords and passkeys, RP ID localhost, UV preferred), one public
 * app client with every flow, users with passwords, and pre-registered passkeys.
 */
export async function setupPool(ep: Endpoint, keys: AdminKeys, opts: SetupOptions): Promise<BenchState> {
  const sdk = new CognitoIdentityProviderClient({
    endpoint: `http://${ep.host}:${ep.port}`,
    region: 'us-east-1',
    credentials: keys,
    maxAttempts: 2,
  });
  try {
    const pool = await sdk.send(
      new CreateUserPoolCommand({
        PoolName: `bench-${Date.now()}`,
        Policies: {
          PasswordPolicy: { MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false },
          SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] },
        },
        AutoVerifiedAttributes: ['email'],
      }),
    );
    const poolId = pool.UserPool!.Id!;
    await sdk.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred' },
      }),
    );
    const client = await sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'bench',
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
      }),
    );
    const clientId = client.UserPoolClient!.ClientId!;
    // Registrations rotate over many users; the raised limit only guarantees it is never hit.
    await latchkeyAdmin(ep, keys, 'LatchkeyUpdateUserPoolSettings', {
      UserPoolId: poolId,
      Settings: { maxPasskeysPerUser: 100, tokenSigningAlg: 'RS256' },
    });

    const names = [
      ...Array.from({ length: opts.signInUsers }, (_, i) => `signin-${i}`),
      ...Array.from({ length: opts.registerUsers }, (_, i) => `register-${i}`),
      'list-0',
    ];
    opts.log(`setup: creating ${names.length} users`);
    await pMap(names, 8, async (username) => {
      await sdk.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: `${username}@example.com` },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    });
    const st: BenchState = {
      poolId,
      poolName: poolId.slice(poolId.indexOf('_') + 1),
      clientId,
      signIn: names
        .filter((n) => n.startsWith('signin-'))
        .map((username) => ({ username, authenticator: new VirtualAuthenticator({ algorithms: ['ES256'], origin: ORIGIN }) })),
      register: [],
      list: { username: 'list-0', accessToken: '', registered: 0 },
      ephemerals: [],
      regCursor: 0,
    };
    opts.log('setup: access tokens and passkeys');
    st.register = await pMap(
      names.filter((n) => n.startsWith('register-')),
      8,
      async (username) => ({ username, accessToken: await passwordToken(ep, clientId, username), registered: 0 }),
    );
    st.list.accessToken = await passwordToken(ep, clientId, 'list-0');
    await pMap(st.signIn, 8, async (u) => registerPasskey(ep, await passwordToken(ep, clientId, u.username), u.authenticator));
    await pMap(
      Array.from({ length: opts.listPasskeys }, (_, i) => i),
      4,
      async () => {
        await registerPasskey(ep, st.list.accessToken, new VirtualAuthenticator({ algorithms: ['ES256'], origin: ORIGIN }));
      },
    );
    const listed = await ep.ok('ListWebAuthnCredentials', { AccessToken: st.list.accessToken, MaxResults: 20 });
    if (listed.Credentials?.length !== Math.min(20, opts.listPasskeys))
      throw new Error(`list user has ${listed.Credentials?.length} passkeys`);
    st.list.registered = opts.listPasskeys;

    opts.log('setup: SRP user keys (first user through the real @latchkey/auth client) and client ephemerals');
    await prepareSrpUser(ep, st, st.signIn[0]!, true);
    await pMap(st.signIn.slice(1), 4, (u) => prepareSrpUser(ep, st, u, false));
    st.ephemerals = Array.from({ length: opts.ephemerals }, () => makeEphemeral());
    // One of each ceremony before anything is measured.
    await passkeySignIn(ep, clientId, st.signIn[0]!);
    await srpSignIn(ep, st, st.signIn[0]!, st.ephemerals[0]!);
    return st;
  } finally {
    sdk.destroy();
  }
}

/** The measured operation for a scenario; `slot` is the virtual user (one sign-in user per slot). */
export function ceremony(id: ScenarioId, ep: Endpoint, st: BenchState): (slot: number, seq: number) => Promise<void> {
  switch (id) {
    case 'signin':
    case 'signin-es256':
      return (slot) => passkeySignIn(ep, st.clientId, st.signIn[slot % st.signIn.length]!);
    case 'register':
      return async () => {
        const user = st.register[st.regCursor++ % st.register.length]!;
        user.registered++;
        await registerPasskey(ep, user.accessToken, new VirtualAuthenticator({ algorithms: ['ES256'], origin: ORIGIN }));
      };
    case 'list':
      return async () => {
        const r = await ep.ok('ListWebAuthnCredentials', { AccessToken: st.list.accessToken, MaxResults: 20 });
        if (r.Credentials?.length !== 20) throw new Error(`listed ${r.Credentials?.length}`);
      };
    case 'srp':
      return (slot, seq) => srpSignIn(ep, st, st.signIn[slot % st.signIn.length]!, st.ephemerals[seq % st.ephemerals.length]!);
    case 'password':
      return async (slot) => {
        const r = await ep.ok('InitiateAuth', {
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: st.clientId,
          AuthParameters: { USERNAME: st.signIn[slot % st.signIn.length]!.username, PASSWORD },
        });
        if (!r.AuthenticationResult?.AccessToken) throw new Error('no tokens');
      };
  }
}
