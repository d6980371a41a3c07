/**
 * NEW_PASSWORD_REQUIRED answers under bursts of 50 parallel requests, on `latchkey serve --workers 2` over one
 * SQLite file and on two instances over one PostgreSQL database (the answer now checks the MFA rules before it
 * consumes the Session, so the single use must still hold across processes):
 *
 * - 50 answers at once on one Session, each with its own email: exactly one is applied; the user's email is its.
 * - 50 answers at once moving a user's only MFA address elsewhere: every one refused, no message to those addresses.
 */
import { expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestPool } from './helpers/pool.js';
import { configPropagated } from './helpers/configCache.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';

const BURST = 50;
const TEMP = 'Temp0rary1';
let n = 0;

function scenarios(get: () => { d: RaceDeployment; pool: TestPool }) {
  const pick = (i: number) => get().d.clients[i % get().d.clients.length]!;

  async function tempUser(prefix: string) {
    const { d, pool } = get();
    const username = `${prefix}-${process.pid}-${++n}`;
    await d.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: `${username}@example.com` },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await d.admin.send(
      new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: TEMP, Permanent: false }),
    );
    return username;
  }
  async function challenge(username: string) {
    const r = await pick(0).send(
      new InitiateAuthCommand({
        ClientId: get().pool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: TEMP },
      }),
    );
    expect(r.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    return r.Session!;
  }
  const answer = async (i: number, username: string, session: string, email: string): Promise<string> => {
    try {
      const r = await pick(i).send(
        new RespondToAuthChallengeCommand({
          ClientId: get().pool.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: session,
          ChallengeResponses: { USERNAME: username, NEW_PASSWORD: 'NewPassw0rd1', 'userAttributes.email': email },
        }),
      );
      return r.AuthenticationResult ? 'ok' : String(r.ChallengeName);
    } catch (e) {
      return (e as { name: string }).name;
    }
  };
  const emails = (username: string) => Array.from({ length: BURST }, (_, i) => `r${i}-${username}@example.org`);

  it(`${BURST} answers at once on one Session, each with its own email: exactly one is applied`, async () => {
    const username = await tempUser('np-race');
    const session = await challenge(username);
    const to = emails(username);
    const results = await Promise.all(to.map((email, i) => answer(i, username, session, email)));
    const won = results.flatMap((r, i) => (r === 'ok' ? [i] : []));
    expect(won, JSON.stringify(results)).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok' && r !== 'NotAuthorizedException')).toEqual([]);
    const got = await get().d.admin.send(new AdminGetUserCommand({ UserPoolId: get().pool.userPoolId, Username: username }));
    const attrs = Object.fromEntries(got.UserAttributes!.map((a) => [a.Name, a.Value]));
    expect([attrs.email, attrs.email_verified, got.UserStatus]).toEqual([to[won[0]!], 'false', 'CONFIRMED']);
  });

  it(`${BURST} answers at once moving the only MFA address elsewhere: all refused, nothing sent there`, async () => {
    const { d, pool } = get();
    await d.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.userPoolId,
        MfaConfiguration: 'OPTIONAL',
        EmailMfaConfiguration: { Message: 'Your MFA code is {####}', Subject: 'Code' },
      }),
    );
    await configPropagated();
    try {
      const username = await tempUser('np-mfa-race');
      await d.admin.send(
        new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.userPoolId, Username: username, EmailMfaSettings: { Enabled: true } }),
      );
      const session = await challenge(username);
      const to = emails(username);
      const results = await Promise.all(to.map((email, i) => answer(i, username, session, email)));
      expect(new Set(results)).toEqual(new Set(['InvalidParameterException']));
      const sent = await d.store.listOutbox(pool.userPoolId, 500);
      expect(sent.filter((m) => to.includes(m.destination))).toEqual([]);
    } finally {
      await d.admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.userPoolId, MfaConfiguration: 'OFF' }));
      await configPropagated();
    }
  });
}

onRaceDeployments('NEW_PASSWORD_REQUIRED races', { factors: ['PASSWORD'] }, scenarios);
