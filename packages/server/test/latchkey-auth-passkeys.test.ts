/**
 * @latchkey/auth's passkey extensions against a real Latchkey server, on SQLite and PostgreSQL, with the software
 * authenticator installed as `navigator.credentials` and page-side spies on the Signal API methods (which Node
 * lacks; the browser suite test/e2e/account-page.test.ts runs the same against Chromium): rename, the richer
 * listing, autofill sign-in (conditional mediation, abortable), conditional create, and the signals.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualAuthenticator, installVirtualAuthenticator } from '@latchkey/virtual-authenticator';
import * as auth from '@latchkey/auth';

import { DIALECTS, useServerWithPool, type TestServer } from './helpers/harness.js';
import type { TestPool } from './helpers/pool.js';
import { createUser, registerPasskey, signedCall, type TestUser } from './helpers/latchkeyAdmin.js';

type Signal = { method: string; options: Record<string, unknown> };

describe.each(DIALECTS)('@latchkey/auth passkey extensions on %s', (dialect) => {
  let srv: TestServer;
  let pool: TestPool;
  useServerWithPool(dialect, {}, (s, p) => ([srv, pool] = [s, p]));

  let authenticator: VirtualAuthenticator;
  let uninstall: () => void;
  let signals: Signal[];
  let mediations: { op: string; mediation: unknown }[];
  let user: TestUser;

  beforeAll(async () => {
    authenticator = new VirtualAuthenticator();
    uninstall = installVirtualAuthenticator(authenticator, { origin: 'http://localhost:3000' });
    const g = globalThis as unknown as {
      PublicKeyCredential: Record<string, unknown>;
      navigator: { credentials: Record<string, unknown> };
    };
    for (const method of ['signalUnknownCredential', 'signalAllAcceptedCredentials', 'signalCurrentUserDetails']) {
      g.PublicKeyCredential[method] = async (options: Record<string, unknown>) => void signals.push({ method, options });
    }
    // Record the mediation each ceremony was asked for, then let the software authenticator answer.
    const credentials = g.navigator.credentials as {
      create: (o: { mediation?: unknown }) => unknown;
      get: (o: { mediation?: unknown }) => unknown;
    };
    const { create, get } = credentials;
    credentials.create = (o) => (mediations.push({ op: 'create', mediation: o.mediation }), create.call(credentials, o));
    credentials.get = (o) => (mediations.push({ op: 'get', mediation: o.mediation }), get.call(credentials, o));
  });
  afterAll(() => uninstall());
  afterEach(async () => {
    await auth.signOut().catch(() => undefined);
  });

  const configure = () => {
    auth.configure(
      { Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: `${srv.endpoint}/` } } },
      { storage: auth.createMemoryStorage() },
    );
    signals = [];
    mediations = [];
  };
  const handle = (sub: string) => Buffer.from(sub, 'utf8').toString('base64url');

  it('conditional create after a password sign-in: conditional Start, create() with mediation conditional', async () => {
    configure();
    user = await createUser(srv, pool, 'client-ext');
    await auth.signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    const before = srv.log.lines.length;
    await auth.associateWebAuthnCredential({ mediation: 'conditional' });
    expect(mediations).toEqual([{ op: 'create', mediation: 'conditional' }]);
    const registered = srv.log.lines.slice(before).find((l) => l.msg === 'passkey registered');
    expect(registered?.obj).toMatchObject({ conditional: true });
    // A second passkey, on another device (registered over the wire): not conditional.
    const { tokens } = await auth.fetchAuthSession();
    await registerPasskey(srv, tokens!.accessToken.toString(), new VirtualAuthenticator({ attachment: 'cross-platform' }));
    const registrations = srv.log.lines.slice(before).filter((l) => l.msg === 'passkey registered');
    expect(registrations.map((l) => (l.obj as { conditional: boolean }).conditional)).toEqual([true, false]);
  });

  it('listing: the richer fields as Dates and booleans; a complete listing is signalled with every accepted id', async () => {
    configure();
    await auth.signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    const { credentials, nextToken } = await auth.listWebAuthnCredentials();
    expect(nextToken).toBeUndefined();
    expect(credentials).toHaveLength(2);
    for (const c of credentials) {
      expect(c).toMatchObject({
        backupEligible: false,
        backupState: false,
        userVerified: true,
        aaguid: '00000000-0000-0000-0000-000000000000',
      });
      expect(c.createdAt).toBeInstanceOf(Date);
      expect(c.providerIconUrl).toBeUndefined();
    }
    const { userId } = await auth.getCurrentUser();
    expect(signals).toEqual([
      {
        method: 'signalAllAcceptedCredentials',
        options: { rpId: 'localhost', userId: handle(userId), allAcceptedCredentialIds: credentials.map((c) => c.credentialId) },
      },
    ]);
    // A partial page is not the whole list: no signal.
    signals = [];
    const first = await auth.listWebAuthnCredentials({ pageSize: 1 });
    expect(first.nextToken).toBeTruthy();
    expect(signals).toEqual([]);
  });

  it('rename: updateWebAuthnCredential stores the trimmed name and signals; refusals are AuthErrors', async () => {
    configure();
    await auth.signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    const [first] = (await auth.listWebAuthnCredentials()).credentials;
    signals = [];
    await auth.updateWebAuthnCredential({ credentialId: first!.credentialId!, friendlyCredentialName: '  Phone  ' });
    expect(signals.map((s) => s.method)).toEqual(['signalAllAcceptedCredentials']);
    expect((await auth.listWebAuthnCredentials()).credentials[0]!.friendlyCredentialName).toBe('Phone');
    await expect(
      auth.updateWebAuthnCredential({ credentialId: first!.credentialId!, friendlyCredentialName: '   ' }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(
      auth.updateWebAuthnCredential({ credentialId: Buffer.alloc(32, 7).toString('base64url'), friendlyCredentialName: 'x' }),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('delete: deleteWebAuthnCredential signals the passkeys that remain', async () => {
    configure();
    await auth.signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    const before = (await auth.listWebAuthnCredentials()).credentials;
    expect(before).toHaveLength(2);
    const gone = before.find((c) => c.authenticatorAttachment === 'cross-platform')!;
    signals = [];
    await auth.deleteWebAuthnCredential({ credentialId: gone.credentialId! });
    const remaining = before.filter((c) => c !== gone).map((c) => c.credentialId);
    const { userId } = await auth.getCurrentUser();
    expect(signals).toEqual([
      {
        method: 'signalAllAcceptedCredentials',
        options: { rpId: 'localhost', userId: handle(userId), allAcceptedCredentialIds: remaining },
      },
    ]);
  });

  it('autofill: signInWithPasskeyAutofill uses conditional mediation and signs in; an aborted one rejects', async () => {
    configure();
    const controller = new AbortController();
    controller.abort();
    await expect(auth.signInWithPasskeyAutofill({ signal: controller.signal })).rejects.toMatchObject({ name: 'PasskeyOperationAborted' });
    expect(mediations).toEqual([]);
    const result = await auth.signInWithPasskeyAutofill({ signal: new AbortController().signal });
    expect(result).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(mediations).toEqual([{ op: 'get', mediation: 'conditional' }]);
    expect((await auth.getCurrentUser()).username).toBe(user.username);
  });

  it('a passkey the server deleted: NotAuthorizedException with latchkeyReason, after signalUnknownCredential for its id', async () => {
    configure();
    // Only one passkey left on the device that the server still has: delete every server-side passkey.
    await auth.signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    const ids = (await auth.listWebAuthnCredentials()).credentials.map((c) => c.credentialId!);
    await auth.signOut();
    for (const id of ids) {
      expect(
        (
          await signedCall(srv, 'LatchkeyAdminDeleteWebAuthnCredential', {
            UserPoolId: pool.userPoolId,
            Username: user.username,
            CredentialId: id,
          })
        ).status,
      ).toBe(200);
    }
    signals = [];
    const err = await auth.signInWithPasskeyAutofill().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(auth.AuthError);
    expect(err).toMatchObject({ name: 'NotAuthorizedException', latchkeyReason: 'UnknownCredential' });
    expect(signals).toHaveLength(1);
    expect(signals[0]!.method).toBe('signalUnknownCredential');
    expect(signals[0]!.options.rpId).toBe('localhost');
    expect(ids).toContain(signals[0]!.options.credentialId);
  });

  it('signalPasskeyUserDetails: the current name and display name, with the user handle', async () => {
    configure();
    expect(await auth.signalPasskeyUserDetails()).toBe(false); // signed out
    await auth.signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    expect(await auth.signalPasskeyUserDetails({ displayName: 'Lena Example' })).toBe(true);
    // By default the display name is the one registration gives: the name attribute, else the email (here).
    expect(await auth.signalPasskeyUserDetails()).toBe(true);
    const { userId } = await auth.getCurrentUser();
    const options = { rpId: 'localhost', userId: handle(userId), name: user.username };
    expect(signals).toEqual([
      { method: 'signalCurrentUserDetails', options: { ...options, displayName: 'Lena Example' } },
      { method: 'signalCurrentUserDetails', options: { ...options, displayName: `${user.username}@example.com` } },
    ]);
  });
});
