/**
 * Triggers, part 6: the development option. With --trigger-modules (LATCHKEY_TRIGGER_MODULES=1) a file:// module's handler
 * runs in-process instead of an HTTP call — here the shipped example handler (packages/server/examples/trigger-handler.mjs),
 * so the example is exercised too; a thrown error is Cognito's UserLambdaValidationException. The flag is strict (a typo
 * is a start-up error, exit 2). SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  AdminGetUserCommand,
  DescribeUserPoolCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { DIALECTS, startTestServer, type TestServer } from './helpers/harness.js';
import { createTestPool, type TestPool } from './helpers/pool.js';
import { expectServiceError } from './helpers/errors.js';
import { PASSWORD, initiatePasswordAuth } from './helpers/latchkeyAdmin.js';
import { loadConfig, ConfigError } from '../src/config/load.js';

const EXAMPLE = pathToFileURL(fileURLToPath(new URL('../examples/trigger-handler.mjs', import.meta.url))).href;

it('LATCHKEY_TRIGGER_MODULES is strict: anything but true/false/1/0 is a ConfigError naming the variable', () => {
  expect(() => loadConfig({}, { LATCHKEY_SECRET: 'x'.repeat(40), LATCHKEY_TRIGGER_MODULES: 'yes' })).toThrow(ConfigError);
  expect(() => loadConfig({}, { LATCHKEY_SECRET: 'x'.repeat(40), LATCHKEY_TRIGGER_MODULES: 'yes' })).toThrow(/LATCHKEY_TRIGGER_MODULES/);
  expect(loadConfig({}, { LATCHKEY_SECRET: 'x'.repeat(40), LATCHKEY_TRIGGER_MODULES: '1' }).triggerModules).toBe(true);
  expect(loadConfig({}, { LATCHKEY_SECRET: 'x'.repeat(40) }).triggerModules).toBe(false);
});

describe.each(DIALECTS)('triggers: file:// modules on %s', (dialect) => {
  let server: TestServer;
  let pool: TestPool;
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${dialect}`;

  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { LATCHKEY_TRIGGER_MODULES: '1' } });
    pool = await createTestPool(server.admin);
    const { UserPool } = await server.admin.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    await server.admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: pool.userPoolId,
        Policies: UserPool!.Policies,
        LambdaConfig: { PreSignUp: EXAMPLE, PreTokenGenerationConfig: { LambdaArn: EXAMPLE, LambdaVersion: 'V2_0' } },
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('the example handler runs in-process: example.com sign-ups auto-confirmed with a tenant claim; others refused', async () => {
    const name = uniq('mod');
    const up = await server.client.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: name,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }],
      }),
    );
    expect(up.UserConfirmed).toBe(true);
    const t = (await initiatePasswordAuth(server.client, pool.clientId, name)).AuthenticationResult!;
    expect(decodeJwt(t.IdToken!).tenant).toBe('acme');
    expect(String(decodeJwt(t.AccessToken!).scope).split(' ')).toContain('orders/read');

    const other = uniq('out');
    await expectServiceError(
      server.client.send(
        new SignUpCommand({
          ClientId: pool.clientId,
          Username: other,
          Password: PASSWORD,
          UserAttributes: [{ Name: 'email', Value: `${other}@else.org` }],
        }),
      ),
      'UserLambdaValidationException',
      /^PreSignUp failed with error Only example.com addresses may sign up\.$/,
    );
    await expectServiceError(
      server.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: other })),
      'UserNotFoundException',
    );
  });
});
