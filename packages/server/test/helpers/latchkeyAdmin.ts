/**
 * Helpers for the passkey and sign-in suites (passkeys-*.test.ts, signin-*.test.ts):
 *  - SigV4-signed calls of the Latchkey-only admin operations (LatchkeyUpdateUserPoolSettings,
 *    LatchkeyUpdateUserPoolClientSettings), which the AWS SDK has no commands for;
 *  - users, password sign-in and passkey registration through the real AWS SDK;
 *  - `expectServiceError`: the named Cognito error, always with HTTP 400 (never a 500).
 */
import { expect } from 'vitest';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  AdminCreateUserCommand, AdminGetUserCommand, AdminSetUserPasswordCommand, CompleteWebAuthnRegistrationCommand, CreateUserPoolClientCommand,
  InitiateAuthCommand, RespondToAuthChallengeCommand, StartWebAuthnRegistrationCommand, type AuthenticationResultType, type InitiateAuthCommandOutput,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { computePasswordClaim, type SrpClientSession } from '../../../client/src/internal/srp.js';
import type {
  PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON, VirtualAuthenticator, CeremonyOverrides,
} from '@latchkey/virtual-authenticator';
import type { TestServer } from './harness.js';
import type { TestPool } from './pool.js';

export const ORIGIN = 'http://localhost:3000';
export const PASSWORD = 'Passw0rdX';

// ------------------------------------------------------------------------------------------------
// SigV4-signed Latchkey admin operations
// ------------------------------------------------------------------------------------------------

export interface RawReply {
  status: number;
  json: any;
}

/** A SigV4-signed JSON call with the server's admin keys (service cognito-idp, region us-east-1). */
export async function signedCall(srv: TestServer, target: string, body: unknown): Promise<RawReply> {
  const url = new URL(srv.endpoint);
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ service: 'cognito-idp', region: 'us-east-1', credentials: srv.adminCredentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
    body: text,
  });
  const { host: _host, ...headers } = signed.headers;
  const res = await fetch(srv.endpoint + '/', { method: 'POST', headers, body: text });
  const raw = await res.text();
  return { status: res.status, json: raw ? JSON.parse(raw) : undefined };
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
  const r = await signedCall(srv, 'LatchkeyUpdateUserPoolClientSettings', { UserPoolId: userPoolId, ClientId: clientId, AllowedOrigins: origins });
  expect(r, 'LatchkeyUpdateUserPoolClientSettings').toMatchObject({ status: 200, json: { AllowedOrigins: origins } });
}

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------

export interface SdkError {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number };
}

/** Expects an AWS SDK call to fail with the named error and HTTP 400. Returns the error. */
export async function expectServiceError(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<SdkError> {
  let err: SdkError | undefined;
  let result: unknown;
  try {
    result = await p;
  } catch (e) {
    err = e as SdkError;
  }
  expect(err, `expected ${name}, but the call succeeded with ${JSON.stringify(result)?.slice(0, 300)}`).toBeDefined();
  expect({ name: err!.name, status: err!.$metadata?.httpStatusCode }, `${err!.name}: ${err!.message}`).toEqual({ name, status: 400 });
  if (message !== undefined) {
    if (typeof message === 'string') expect(err!.message).toBe(message);
    else expect(err!.message).toMatch(message);
  }
  return err!;
}

/** Expects a raw reply to be the named error with HTTP 400. */
export function expectRawError(r: RawReply, name: string): void {
  expect({ status: r.status, type: r.json?.__type }, JSON.stringify(r.json)).toEqual({ status: 400, type: name });
}

/** No request of the suite ended in an internal error (the dispatcher logs every 500 at level error). */
export function expectNoInternalErrors(srv: TestServer): void {
  const errors = srv.log.lines.filter((l) => l.level === 'error');
  expect(errors.map((l) => `${l.msg} ${JSON.stringify(l.obj, (_k, v) => (v instanceof Error ? `${v.name}: ${v.message}\n${v.stack}` : v))}`)).toEqual([]);
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

/** A confirmed user with a permanent password. */
export async function createUser(srv: TestServer, pool: TestPool, prefix = 'user', password = PASSWORD): Promise<TestUser> {
  const username = `${prefix}-${process.pid}-${++userCounter}`;
  await srv.admin.send(new AdminCreateUserCommand({
    UserPoolId: pool.userPoolId, Username: username, MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }, { Name: 'email_verified', Value: 'true' }],
  }));
  await srv.admin.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: password, Permanent: true }));
  const got = await srv.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
  const sub = got.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
  expect(sub).toBeTruthy();
  return { username, sub: sub!, password };
}

/** USER_PASSWORD_AUTH with the given app client → tokens. */
export async function passwordTokens(srv: TestServer, clientId: string, user: Pick<TestUser, 'username' | 'password'>): Promise<AuthenticationResultType> {
  const r = await srv.client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.username, PASSWORD: user.password } }));
  expect(r.AuthenticationResult?.AccessToken).toBeTruthy();
  return r.AuthenticationResult!;
}

export async function accessToken(srv: TestServer, clientId: string, user: Pick<TestUser, 'username' | 'password'>): Promise<string> {
  return (await passwordTokens(srv, clientId, user)).AccessToken!;
}

/** A second public app client of the same pool. */
export async function createExtraClient(srv: TestServer, pool: TestPool, opts: { flows?: string[]; name?: string } = {}): Promise<string> {
  const r = await srv.admin.send(new CreateUserPoolClientCommand({
    UserPoolId: pool.userPoolId, ClientName: opts.name ?? 'second', GenerateSecret: false,
    ExplicitAuthFlows: (opts.flows ?? ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']) as never,
    PreventUserExistenceErrors: 'ENABLED',
  }));
  return r.UserPoolClient!.ClientId!;
}

// ------------------------------------------------------------------------------------------------
// Passkeys
// ------------------------------------------------------------------------------------------------

export async function startRegistration(srv: TestServer, token: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const r = await srv.client.send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
  expect(typeof r.CredentialCreationOptions).toBe('object');
  return r.CredentialCreationOptions as unknown as PublicKeyCredentialCreationOptionsJSON;
}

export function completeRegistration(srv: TestServer, token: string, credential: unknown) {
  return srv.client.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: credential as never }));
}

/** Start + create + Complete; returns the registration response (its `id` is the credential id). */
export async function registerPasskey(srv: TestServer, token: string, authenticator: VirtualAuthenticator, overrides: CeremonyOverrides = {}): Promise<RegistrationResponseJSON> {
  const options = await startRegistration(srv, token);
  const credential = await authenticator.createCredential(options, overrides);
  const r = await completeRegistration(srv, token, credential);
  expect(r.$metadata.httpStatusCode).toBe(200);
  return credential;
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
export async function passwordVerifierInput(pool: TestPool, clientId: string, challenge: InitiateAuthCommandOutput | RespondToAuthChallengeCommandOutput, session: SrpClientSession, password: string, date?: Date) {
  expect(challenge.ChallengeName).toBe('PASSWORD_VERIFIER');
  const p = challenge.ChallengeParameters!;
  const claim = await computePasswordClaim({
    session, poolName: pool.userPoolId.split('_')[1]!, userIdForSrp: p.USER_ID_FOR_SRP!, password, srpB: p.SRP_B!, salt: p.SALT!, secretBlock: p.SECRET_BLOCK!, ...(date ? { date } : {}),
  });
  return {
    ClientId: clientId, ChallengeName: 'PASSWORD_VERIFIER' as const, ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP!, ...claim } as Record<string, string>,
    ...(challenge.Session ? { Session: challenge.Session } : {}),
  };
}

/** Answers a PASSWORD_VERIFIER challenge as Amplify does. */
export async function answerPasswordVerifier(srv: TestServer, pool: TestPool, clientId: string, challenge: InitiateAuthCommandOutput | RespondToAuthChallengeCommandOutput, session: SrpClientSession, password: string, date?: Date): Promise<RespondToAuthChallengeCommandOutput> {
  return srv.client.send(new RespondToAuthChallengeCommand(await passwordVerifierInput(pool, clientId, challenge, session, password, date)));
}
