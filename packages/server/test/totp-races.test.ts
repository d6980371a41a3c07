/**
 * SOFTWARE_TOKEN_MFA answers under bursts of parallel requests, on `latchkey serve --workers 2` over one
 * SQLite file and on two instances over one PostgreSQL database (helpers/raceDeployments.ts). Codes come
 * from the tests' own RFC 6238 (helpers/totp.ts) at the real clock the server processes use.
 *
 * - One right code answered 20 times at once on one Session: exactly one sign-in.
 * - One right code answered at once on 20 Sessions of 20 sign-ins: exactly one sign-in (the code is
 *   accepted at most once: the guarded last-step update, whichever process answers).
 * - One code sent to VerifySoftwareToken 20 times at once: exactly one SUCCESS (the pending secret is
 *   promoted by one compare-and-swap).
 * - The verified MFA_SETUP Session answered 20 times at once: exactly one sign-in.
 */
import { beforeAll, expect, it } from 'vitest';
import {
  AssociateSoftwareTokenCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestPool } from './helpers/pool.js';
import { configPropagated } from './helpers/configCache.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';
import { createUser, initiatePasswordAuth } from './helpers/latchkeyAdmin.js';
import { totp } from './helpers/totp.js';

const BURST = 20;

async function outcome(p: Promise<{ AuthenticationResult?: unknown }>): Promise<string> {
  try {
    const r = await p;
    return r.AuthenticationResult ? 'ok' : 'no tokens';
  } catch (e) {
    return (e as { name: string }).name;
  }
}

function scenarios(get: () => { d: RaceDeployment; pool: TestPool }) {
  const pick = (i: number) => get().d.clients[i % get().d.clients.length]!;

  beforeAll(async () => {
    const { d, pool } = get();
    await d.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    await configPropagated();
  });

  /** A user with TOTP verified and preferred; the verification used the current step, so `step + 1` codes are unused. */
  async function totpUser(prefix: string) {
    const { d, pool } = get();
    const user = await createUser(d, pool, prefix);
    const signedIn = await initiatePasswordAuth(pick(0), pool.clientId, user.username, user.password);
    const AccessToken = signedIn.AuthenticationResult!.AccessToken!;
    const { SecretCode } = await pick(0).send(new AssociateSoftwareTokenCommand({ AccessToken }));
    await pick(1).send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totp(SecretCode!, Date.now()) }));
    await pick(0).send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
    return { user, secret: SecretCode! };
  }
  async function challenge(username: string, password: string) {
    const r = await initiatePasswordAuth(pick(0), get().pool.clientId, username, password);
    expect(r.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    return r.Session!;
  }
  const respond = (i: number, username: string, session: string, code: string) =>
    outcome(
      pick(i).send(
        new RespondToAuthChallengeCommand({
          ClientId: get().pool.clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      ),
    );

  it(`one TOTP code answered ${BURST} times at once on one Session: exactly one sign-in`, async () => {
    const { user, secret } = await totpUser('totp-race');
    const session = await challenge(user.username, user.password);
    const code = totp(secret, Date.now(), 1);
    const results = await Promise.all(Array.from({ length: BURST }, (_, i) => respond(i, user.username, session, code)));
    expect(
      results.filter((r) => r === 'ok'),
      JSON.stringify(results),
    ).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok' && r !== 'NotAuthorizedException' && r !== 'CodeMismatchException')).toEqual([]);
  });

  it(`one TOTP code answered at once on ${BURST} Sessions: exactly one sign-in`, async () => {
    const { user, secret } = await totpUser('totp-race-sessions');
    const sessions: string[] = [];
    for (let i = 0; i < BURST; i++) sessions.push(await challenge(user.username, user.password));
    const code = totp(secret, Date.now(), 1);
    const results = await Promise.all(sessions.map((s, i) => respond(i, user.username, s, code)));
    expect(
      results.filter((r) => r === 'ok'),
      JSON.stringify(results),
    ).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok' && r !== 'NotAuthorizedException' && r !== 'CodeMismatchException')).toEqual([]);
  });

  it(`one code sent to VerifySoftwareToken ${BURST} times at once: exactly one SUCCESS`, async () => {
    const { d, pool } = get();
    const user = await createUser(d, pool, 'totp-verify-race');
    const signedIn = await initiatePasswordAuth(pick(0), pool.clientId, user.username, user.password);
    const AccessToken = signedIn.AuthenticationResult!.AccessToken!;
    const { SecretCode } = await pick(0).send(new AssociateSoftwareTokenCommand({ AccessToken }));
    const code = totp(SecretCode!, Date.now());
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        pick(i)
          .send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: code }))
          .then(
            (r) => r.Status ?? 'no status',
            (e: { name: string }) => e.name,
          ),
      ),
    );
    expect(
      results.filter((r) => r === 'SUCCESS'),
      JSON.stringify(results),
    ).toHaveLength(1);
    expect(results.filter((r) => r !== 'SUCCESS' && r !== 'EnableSoftwareTokenMFAException' && r !== 'NotAuthorizedException')).toEqual([]);
  });

  it(`the verified MFA_SETUP Session answered ${BURST} times at once: exactly one sign-in`, async () => {
    const { d, pool } = get();
    const user = await createUser(d, pool, 'totp-setup-race');
    await d.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    await configPropagated();
    try {
      const r = await initiatePasswordAuth(pick(0), pool.clientId, user.username, user.password);
      expect(r.ChallengeName).toBe('MFA_SETUP');
      const assoc = await pick(1).send(new AssociateSoftwareTokenCommand({ Session: r.Session }));
      const verified = await pick(0).send(
        new VerifySoftwareTokenCommand({ Session: assoc.Session, UserCode: totp(assoc.SecretCode!, Date.now()) }),
      );
      const results = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          outcome(
            pick(i).send(
              new RespondToAuthChallengeCommand({
                ClientId: pool.clientId,
                ChallengeName: 'MFA_SETUP',
                Session: verified.Session,
                ChallengeResponses: { USERNAME: user.username },
              }),
            ),
          ),
        ),
      );
      expect(
        results.filter((x) => x === 'ok'),
        JSON.stringify(results),
      ).toHaveLength(1);
      expect(results.filter((x) => x !== 'ok' && x !== 'NotAuthorizedException')).toEqual([]);
    } finally {
      await d.admin.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: pool.userPoolId,
          MfaConfiguration: 'OPTIONAL',
          SoftwareTokenMfaConfiguration: { Enabled: true },
        }),
      );
      await configPropagated();
    }
  });
}

onRaceDeployments('SOFTWARE_TOKEN_MFA races', {}, scenarios);
