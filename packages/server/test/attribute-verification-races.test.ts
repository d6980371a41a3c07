/**
 * One account per email alias while many users verify the same pending email at once, spread over processes:
 * `latchkey serve --workers 2` on one SQLite file, and two instances on one PostgreSQL database. BURST users of a
 * pool with AttributesRequireVerificationBeforeUpdate each change their email to one address (it stays pending,
 * their old email keeps signing in); BURST parallel VerifyUserAttribute calls → exactly one holds the address,
 * every other answer is AliasExistsException and keeps its old, verified email.
 */
import { expect, it } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestPool } from './helpers/pool.js';
import { onRaceDeployments, type RaceDeployment } from './helpers/raceDeployments.js';
import { randomName } from './helpers/processes.js';

const BURST = 50;
const PASSWORD = 'Passw0rdX';

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = e as { name: string; message: string };
    return err.name === 'AliasExistsException' ? 'taken' : `${err.name}: ${err.message}`;
  }
}

function scenarios(get: () => { d: RaceDeployment; pool: TestPool }) {
  it(`${BURST} users verify the same pending email in parallel, over the processes: exactly one holds it`, async () => {
    const { d, pool } = get();
    const shared = `${randomName('shared-')}@example.com`;
    const users = Array.from({ length: BURST }, (_, i) => ({ username: randomName(`race-alias-${i}-`) }));
    const tokens: string[] = [];
    const subs: string[] = [];
    for (const [i, { username }] of users.entries()) {
      const created = await d.admin.send(
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
      subs.push(created.User!.Attributes!.find((a) => a.Name === 'sub')!.Value!);
      await d.admin.send(
        new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }),
      );
      const client = d.clients[i % d.clients.length]!;
      const auth = await client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      );
      tokens.push(auth.AuthenticationResult!.AccessToken!);
      await client.send(new UpdateUserAttributesCommand({ AccessToken: tokens[i], UserAttributes: [{ Name: 'email', Value: shared }] }));
    }
    // Each user's code is the one sent to the shared address for them (bound to the user and the address).
    const messages = (await d.store.listOutbox(pool.userPoolId, 500)).filter((m) => m.destination === shared);
    expect(messages).toHaveLength(BURST);
    const codes = subs.map((sub) => messages.find((m) => m.userId === sub)!.code!);
    const results = await Promise.all(
      tokens.map((AccessToken, i) =>
        outcome(
          d.clients[i % d.clients.length]!.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: codes[i] })),
        ),
      ),
    );
    expect(results.filter((r) => r !== 'ok' && r !== 'taken')).toEqual([]);
    expect(
      results.filter((r) => r === 'ok'),
      JSON.stringify(results),
    ).toHaveLength(1);
    const holders = await d.admin.send(new ListUsersCommand({ UserPoolId: pool.userPoolId, Filter: `email = "${shared}"` }));
    expect(holders.Users).toHaveLength(1);
    const loser = users[results.indexOf('taken')]!.username;
    const kept = await d.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: loser }));
    expect(kept.UserAttributes?.find((a) => a.Name === 'email')?.Value).toBe(`${loser}@example.com`);
  });
}

onRaceDeployments('pending-email alias races', { aliasAttributes: ['email'], verifyBeforeUpdate: ['email'] }, scenarios);
