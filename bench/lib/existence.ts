/**
 * Known vs unknown users, timed: with PreventUserExistenceErrors on, an attacker who times the public
 * operations should not learn whether a name exists. For each operation, N calls for existing users and
 * N for names nobody holds, interleaved pairwise in random order, one call at a time (latency, not
 * throughput), on one keep-alive connection; the medians and their gap are reported.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { computePasswordClaim, createSrpClientSession } from '../../packages/client/src/internal/srp.js';
import { Endpoint } from './http.js';
import type { AdminKeys } from './latchkey.js';

export interface ExistenceTiming {
  operation: string;
  n: number;
  knownMs: number;
  unknownMs: number;
}

const PASSWORD = 'Bench-Passw0rd!';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timed(ep: Endpoint, target: string, body: unknown): Promise<number> {
  const t = process.hrtime.bigint();
  const r = await ep.call(target, body);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status >= 500) throw new Error(`${target} → HTTP ${r.status} ${r.text.slice(0, 200)}`);
  return ms;
}

/**
 * Creates a pool with `users` known users, then times every operation `n` times per side.
 * Known users get at most 4 wrong passwords each (below the lockout threshold), so no answer is a lockout.
 */
export async function measureExistenceTiming(
  host: string,
  port: number,
  keys: AdminKeys,
  n: number,
  log: (m: string) => void,
): Promise<ExistenceTiming[]> {
  const sdk = new CognitoIdentityProviderClient({
    endpoint: `http://${host}:${port}`,
    region: 'us-east-1',
    credentials: keys,
    maxAttempts: 2,
  });
  const ep = new Endpoint(host, port, 1);
  try {
    const pool = await sdk.send(
      new CreateUserPoolCommand({
        PoolName: `bench-existence-${Date.now()}`,
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
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
        ClientName: 'existence',
        ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
      }),
    );
    const ClientId = client.UserPoolClient!.ClientId!;
    // Each user takes at most 4 wrong guesses per guessing operation, so none reaches the lockout.
    const users = Math.ceil(n / 4);
    log(`existence timing: ${2 * users} known users, ${n} calls per operation and side`);
    const names = Array.from({ length: users }, (_, i) => [`known-${i}`, `known-srp-${i}`]).flat();
    for (const Username of names) {
      await sdk.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: `${Username}@example.com` },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
    }
    const known = (i: number) => `known-${i % users}`;
    const knownSrp = (i: number) => `known-srp-${i % users}`;
    const poolName = poolId.slice(poolId.indexOf('_') + 1);
    /** A PASSWORD_VERIFIER answer with a wrong password, prepared untimed; only RespondToAuthChallenge is timed. */
    const wrongSrpAnswer = async (USERNAME: string, i: number) => {
      const session = createSrpClientSession();
      const init = await ep.ok('InitiateAuth', { ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME, SRP_A: session.srpA } });
      const p = init.ChallengeParameters;
      const claim = await computePasswordClaim({
        session,
        poolName,
        userIdForSrp: p.USER_ID_FOR_SRP,
        password: `Wr0ng-${i}`,
        srpB: p.SRP_B,
        salt: p.SALT,
        secretBlock: p.SECRET_BLOCK,
      });
      return timed(ep, 'RespondToAuthChallenge', {
        ClientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        Session: init.Session,
        ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP, ...claim },
      });
    };
    const unknown = (i: number) => `nobody-${i}-${Date.now().toString(36)}`;
    const ops: { operation: string; call: (name: string, i: number) => Promise<number>; known?: (i: number) => string }[] = [
      {
        operation: 'InitiateAuth USER_PASSWORD_AUTH (wrong password)',
        call: (USERNAME, i) =>
          timed(ep, 'InitiateAuth', { ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: `Wr0ng-${i}` } }),
      },
      {
        operation: 'InitiateAuth USER_SRP_AUTH',
        call: (USERNAME) =>
          timed(ep, 'InitiateAuth', {
            ClientId,
            AuthFlow: 'USER_SRP_AUTH',
            AuthParameters: { USERNAME, SRP_A: createSrpClientSession().srpA },
          }),
      },
      {
        operation: 'RespondToAuthChallenge PASSWORD_VERIFIER (wrong password)',
        call: wrongSrpAnswer,
        known: knownSrp,
      },
      {
        operation: 'InitiateAuth USER_AUTH (factor selection)',
        call: (USERNAME) => timed(ep, 'InitiateAuth', { ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME } }),
      },
      {
        operation: 'ForgotPassword',
        call: (Username) => timed(ep, 'ForgotPassword', { ClientId, Username }),
      },
    ];
    const out: ExistenceTiming[] = [];
    for (const op of ops) {
      const k: number[] = [];
      const u: number[] = [];
      // A few unmeasured calls first (connection, JIT, caches).
      for (let i = 0; i < 5; i++) await op.call(unknown(-1 - i), -1);
      const knownName = op.known ?? known;
      for (let i = 0; i < n; i++) {
        if (Math.random() < 0.5) {
          k.push(await op.call(knownName(i), i));
          u.push(await op.call(unknown(i), i));
        } else {
          u.push(await op.call(unknown(i), i));
          k.push(await op.call(knownName(i), i));
        }
      }
      out.push({ operation: op.operation, n, knownMs: median(k), unknownMs: median(u) });
      log(`  ${op.operation}: known ${median(k).toFixed(2)} ms, unknown ${median(u).toFixed(2)} ms (median of ${n} each)`);
    }
    return out;
  } finally {
    ep.close();
    sdk.destroy();
  }
}
