/**
 * Helpers for the suites that talk to a server over the wire (passkeys-*, signin-*, users-*, tokens-*,
 * admin-pools, protocol-errors and, through processes.ts, multi-instance*):
 *  - SigV4 signing of JSON-protocol requests with the admin keys, and the Latchkey-only admin operations
 *    (LatchkeyUpdateUserPoolSettings, LatchkeyUpdateUserPoolClientSettings), which the AWS SDK has no commands for;
 *  - users, password sign-in, sign-up codes and passkey registration / sign-in through the real AWS SDK.
 * Error assertions are in errors.ts.
 *
 * Helpers that only send SDK commands take `{ admin }` / `{ client }`, so a TestServer (harness.ts) and
 * a ServerProcess (processes.ts) both fit.
 */
import { TARGET_PREFIX } from '@latchkey/wire';
import { expect } from 'vitest';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CompleteWebAuthnRegistrationCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  StartWebAuthnRegistrationCommand,
  type AttributeType,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  type InitiateAuthCommandOutput,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { computePasswordClaim, type SrpClientSession } from '../../../client/src/internal/srp.js';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  VirtualAuthenticator,
  CeremonyOverrides,
} from '@latchkey/virtual-authenticator';
import type { TestServer } from './harness.js';
import type { TestPool } from './pool.js';

export const ORIGIN = 'http://localhost:3000';
export const PASSWORD = 'Passw0rdX';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Something with an admin-signed SDK client (a TestServer or a ServerProcess). */
export type WithAdmin = { admin: CognitoIdentityProviderClient };
/** Something with an unsigned SDK client for the public operations (a TestServer or a ServerProcess). */
export type WithClient = { client: CognitoIdentityProviderClient };

// ------------------------------------------------------------------------------------------------
// SigV4-signed Latchkey admin operations
// ------------------------------------------------------------------------------------------------

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignOptions {
  path?: string;
  query?: Record<string, string>;
  contentType?: string;
  signingDate?: Date;
  headers?: Record<string, string>;
}

/** SHA-256 / HMAC-SHA-256 for the signer on node:crypto (the pure-JS one takes 10 ms for a 200 KB body). */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | Uint8Array) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/**
 * Signs a JSON-protocol POST like the SDK does (SigV4, service cognito-idp, region us-east-1) and returns
 * what to put on the wire. No `target`: no X-Amz-Target header.
 */
export async function signJsonRequest(
  endpoint: string,
  credentials: Credentials,
  target: string | undefined,
  body: string,
  o: SignOptions = {},
) {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: 'cognito-idp', region: 'us-east-1', credentials, sha256: NodeSha256 });
  const path = o.path ?? '/';
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: o.query ?? {},
      headers: {
        host: url.host,
        'content-type': o.contentType ?? 'application/x-amz-json-1.1',
        ...(target !== undefined ? { 'x-amz-target': `${TARGET_PREFIX}${target}` } : {}),
        ...o.headers,
      },
      body,
    },
    o.signingDate ? { signingDate: o.signingDate } : {},
  );
  const { host: _host, ...headers } = signed.headers;
  const qs = new URLSearchParams(o.query ?? {}).toString();
  return { url: `${endpoint}${path}${qs ? `?${qs}` : ''}`, init: { method: 'POST', headers, body } satisfies RequestInit };
}

export interface RawReply {
  status: number;
  headers: Headers;
  /** The response body as received (the bytes the SDK would hide: numbers, empty bodies). */
  raw: string;
  json: any;
}

/** A SigV4-signed JSON call of `target` on `endpoint`. */
export async function signedFetch(endpoint: string, credentials: Credentials, target: string, body: unknown): Promise<RawReply> {
  const { url, init } = await signJsonRequest(endpoint, credentials, target, JSON.stringify(body));
  const res = await fetch(url, init);
  const raw = await res.text();
  return { status: res.status, headers: res.headers, raw, json: raw ? JSON.parse(raw) : undefined };
}

/** A SigV4-signed JSON call with the server's admin keys. */
export function signedCall(srv: TestServer, target: string, body: unknown): Promise<RawReply> {
  return signedFetch(srv.endpoint, srv.adminCredentials, target, body);
}

export interface PoolSettings {
  maxPasskeysPerUser?: number;
  registrationTimeoutMs?: number;
  attestation?: 'none' | 'direct';
  signCountPolicy?: 'strict' | 'lenient-synced';
  tokenSigningAlg?: 'RS256' | 'ES256';
  lockoutThreshold?: number;
}

export async function updatePoolSettings(srv: TestServer, userPoolId: string, settings: PoolSettings): Promise<void> {
  const r = await signedCall(srv, 'LatchkeyUpdateUserPoolSettings', { UserPoolId: userPoolId, Settings: settings });
  expect(r, 'LatchkeyUpdateUserPoolSettings').toMatchObject({ status: 200 });
}

export async function updateClientOrigins(srv: TestServer, userPoolId: string, clientId: string, origins: string[]): Promise<void> {
  const r = await signedCall(srv, 'LatchkeyUpdateUserPoolClientSettings', {
    UserPoolId: userPoolId,
    ClientId: clientId,
    AllowedOrigins: origins,
  });
  expect(r, 'LatchkeyUpdateUserPoolClientSettings').toMatchObject({ status: 200, json: { AllowedOrigins: origins } });
}

// ------------------------------------------------------------------------------------------------
// Users and tokens
// ------------------------------------------------------------------------------------------------

export interface TestUser {
  username: string;
  sub: string;
  password: string;
}

let userCounter = 0;

/** The value of the named attribute, if present. */
export const attr = (attrs: AttributeType[] | undefined, name: string) => attrs?.find((a) => a.Name === name)?.Value;

/**
 * AdminCreateUser (SUPPRESS, a verified email, by default `<username>@example.com`) + a permanent AdminSetUserPassword: a CONFIRMED user.
 */
export async function adminCreateConfirmedUser(
  admin: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  password = PASSWORD,
  email = `${username}@example.com`,
): Promise<void> {
  await admin.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: password, Permanent: true }));
}

/** A confirmed user with a permanent password and a unique name. */
export async function createUser(srv: WithAdmin, pool: TestPool, prefix = 'user', password = PASSWORD): Promise<TestUser> {
  const username = `${prefix}-${process.pid}-${++userCounter}`;
  await adminCreateConfirmedUser(srv.admin, pool.userPoolId, username, password);
  const got = await srv.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
  const sub = attr(got.UserAttributes, 'sub');
  expect(sub).toBeTruthy();
  return { username, sub: sub!, password };
}

/** InitiateAuth USER_PASSWORD_AUTH: the SDK's answer as it is (or its error). */
export function initiatePasswordAuth(
  client: CognitoIdentityProviderClient,
  clientId: string,
  username: string,
  password = PASSWORD,
  extra: Record<string, string> = {},
) {
  return client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password, ...extra },
    }),
  );
}

/** USER_PASSWORD_AUTH with the given app client → tokens. */
export async function passwordTokens(
  srv: WithClient,
  clientId: string,
  user: Pick<TestUser, 'username' | 'password'>,
): Promise<AuthenticationResultType> {
  const r = await initiatePasswordAuth(srv.client, clientId, user.username, user.password);
  expect(r.AuthenticationResult?.AccessToken).toBeTruthy();
  return r.AuthenticationResult!;
}

export async function accessToken(srv: WithClient, clientId: string, user: Pick<TestUser, 'username' | 'password'>): Promise<string> {
  return (await passwordTokens(srv, clientId, user)).AccessToken!;
}

/** The code of the newest message to `destination` in the pool's outbox (sign-up, forgot password, attribute verification). */
export async function outboxCode(srv: TestServer, poolId: string, destination: string): Promise<string> {
  const m = (await srv.services.store.listOutbox(poolId, 200)).find((x) => x.destination === destination);
  expect(m, `a message to ${destination}`).toBeDefined();
  return m!.code!;
}

/** A second public app client of the same pool. */
export async function createExtraClient(srv: WithAdmin, pool: TestPool, opts: { flows?: string[]; name?: string } = {}): Promise<string> {
  const r = await srv.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: pool.userPoolId,
      ClientName: opts.name ?? 'second',
      GenerateSecret: false,
      ExplicitAuthFlows: (opts.flows ?? [
        'ALLOW_USER_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ]) as never,
      PreventUserExistenceErrors: 'ENABLED',
    }),
  );
  return r.UserPoolClient!.ClientId!;
}

// ------------------------------------------------------------------------------------------------
// Passkeys
// ------------------------------------------------------------------------------------------------

export async function startRegistration(srv: WithClient, token: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const r = await srv.client.send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
  expect(typeof r.CredentialCreationOptions).toBe('object');
  return r.CredentialCreationOptions as unknown as PublicKeyCredentialCreationOptionsJSON;
}

export function completeRegistration(srv: WithClient, token: string, credential: unknown) {
  return srv.client.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: credential as never }));
}

/** Start + create + Complete; returns the registration response (its `id` is the credential id). */
export async function registerPasskey(
  srv: WithClient,
  token: string,
  authenticator: VirtualAuthenticator,
  overrides: CeremonyOverrides = {},
): Promise<RegistrationResponseJSON> {
  const options = await startRegistration(srv, token);
  const credential = await authenticator.createCredential(options, overrides);
  const r = await completeRegistration(srv, token, credential);
  expect(r.$metadata.httpStatusCode).toBe(200);
  return credential;
}

/** USER_AUTH + PREFERRED_CHALLENGE WEB_AUTHN: InitiateAuth on `start`, the authenticator's assertion answered on `finish`. */
export async function passkeySignIn(
  start: WithClient,
  finish: WithClient,
  clientId: string,
  username: string,
  authenticator: VirtualAuthenticator,
) {
  const init = await start.client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
    }),
  );
  expect(init.ChallengeName).toBe('WEB_AUTHN');
  const options = JSON.parse(init.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS!);
  const assertion = await authenticator.getAssertion(options);
  const done = await finish.client.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'WEB_AUTHN',
      Session: init.Session,
      ChallengeResponses: { USERNAME: username, CREDENTIAL: JSON.stringify(assertion) },
    }),
  );
  return { init, assertion, done };
}

export function parseRequestOptions(json: string | undefined): PublicKeyCredentialRequestOptionsJSON {
  expect(typeof json).toBe('string');
  return JSON.parse(json!) as PublicKeyCredentialRequestOptionsJSON;
}

export const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
export const randomId = (bytes = 32) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');

// ------------------------------------------------------------------------------------------------
// SRP (client side, the same computation as Amplify)
// ------------------------------------------------------------------------------------------------

/** The RespondToAuthChallenge input Amplify sends for a PASSWORD_VERIFIER challenge (USERNAME = USER_ID_FOR_SRP, Session echoed). */
export async function passwordVerifierInput(
  pool: TestPool,
  clientId: string,
  challenge: InitiateAuthCommandOutput | RespondToAuthChallengeCommandOutput,
  session: SrpClientSession,
  password: string,
  date?: Date,
) {
  expect(challenge.ChallengeName).toBe('PASSWORD_VERIFIER');
  const p = challenge.ChallengeParameters!;
  const claim = await computePasswordClaim({
    session,
    poolName: pool.userPoolId.split('_')[1]!,
    userIdForSrp: p.USER_ID_FOR_SRP!,
    password,
    srpB: p.SRP_B!,
    salt: p.SALT!,
    secretBlock: p.SECRET_BLOCK!,
    ...(date ? { date } : {}),
  });
  return {
    ClientId: clientId,
    ChallengeName: 'PASSWORD_VERIFIER' as const,
    ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP!, ...claim } as Record<string, string>,
    ...(challenge.Session ? { Session: challenge.Session } : {}),
  };
}

/** Answers a PASSWORD_VERIFIER challenge as Amplify does. */
export async function answerPasswordVerifier(
  srv: WithClient,
  pool: TestPool,
  clientId: string,
  challenge: InitiateAuthCommandOutput | RespondToAuthChallengeCommandOutput,
  session: SrpClientSession,
  password: string,
  date?: Date,
): Promise<RespondToAuthChallengeCommandOutput> {
  return srv.client.send(
    new RespondToAuthChallengeCommand(await passwordVerifierInput(pool, clientId, challenge, session, password, date)),
  );
}
