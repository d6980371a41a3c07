/**
 * A tiny Cognito-user-pool-shaped HTTP stub, just enough for aws-amplify v6 to sign in with
 * USER_PASSWORD_AUTH, register a passkey (Start/CompleteWebAuthnRegistration) and sign in with
 * WEB_AUTHN. WebAuthn responses are verified with @simplewebauthn/server.
 */
import { TARGET_PREFIX } from '@latchkey/wire';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type VerifiedAuthenticationResponse,
  type VerifiedRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';

export const APP_ORIGIN = 'http://localhost:3000';
export const RP_ID = 'localhost';

const b64json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Unsigned 3-part JWT (header.payload.signature) with the claims aws-amplify reads. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  return [b64json({ alg: 'none', typ: 'JWT' }), b64json({ iat: now, exp: now + 3600, ...claims }), 'c2lnbmF0dXJl'].join('.');
}

function tokens(username: string) {
  const common = { sub: `sub-${username}`, origin_jti: `jti-${Date.now()}`, 'cognito:username': username, client_id: 'abc' };
  return {
    AccessToken: fakeJwt({ ...common, token_use: 'access', username }),
    IdToken: fakeJwt({ ...common, token_use: 'id', aud: 'abc' }),
    RefreshToken: 'opaque-refresh-token',
    ExpiresIn: 3600,
    TokenType: 'Bearer',
  };
}

export interface StubCall {
  target: string;
  body: Record<string, unknown>;
}

export interface CognitoStub {
  endpoint: string;
  calls: StubCall[];
  registrationOptions?: Awaited<ReturnType<typeof generateRegistrationOptions>>;
  registration?: VerifiedRegistrationResponse;
  registrationError?: string;
  credential?: WebAuthnCredential;
  authentication?: VerifiedAuthenticationResponse;
  authenticationError?: string;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

export async function startCognitoStub(): Promise<CognitoStub> {
  let pendingAuthChallenge: string | undefined;
  const stub = { calls: [] as StubCall[] } as CognitoStub;

  const handle = async (target: string, body: Record<string, unknown>): Promise<[number, unknown]> => {
    switch (target) {
      case 'InitiateAuth': {
        const params = body.AuthParameters as Record<string, string>;
        if (body.AuthFlow === 'USER_PASSWORD_AUTH') {
          if (params.PASSWORD !== 'correct horse')
            return [400, { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' }];
          return [200, { AuthenticationResult: tokens(params.USERNAME), ChallengeParameters: {} }];
        }
        if (body.AuthFlow === 'USER_AUTH' && params.PREFERRED_CHALLENGE === 'WEB_AUTHN') {
          const options = await generateAuthenticationOptions({
            rpID: RP_ID,
            userVerification: 'required',
            allowCredentials: stub.credential ? [{ id: stub.credential.id }] : [],
          });
          pendingAuthChallenge = options.challenge;
          return [
            200,
            {
              ChallengeName: 'WEB_AUTHN',
              Session: 'session-1',
              ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options), USERNAME: params.USERNAME },
            },
          ];
        }
        return [400, { __type: 'InvalidParameterException', message: `Unsupported flow ${String(body.AuthFlow)}` }];
      }
      case 'StartWebAuthnRegistration': {
        if (typeof body.AccessToken !== 'string') return [400, { __type: 'NotAuthorizedException', message: 'no token' }];
        stub.registrationOptions = await generateRegistrationOptions({
          rpName: 'Latchkey stub',
          rpID: RP_ID,
          userName: 'alice',
          userID: new TextEncoder().encode('sub-alice'),
          attestationType: 'none',
          excludeCredentials: stub.credential ? [{ id: stub.credential.id }] : [],
          authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        });
        return [200, { CredentialCreationOptions: stub.registrationOptions }];
      }
      case 'CompleteWebAuthnRegistration': {
        try {
          stub.registration = await verifyRegistrationResponse({
            response: body.Credential as never,
            expectedChallenge: stub.registrationOptions!.challenge,
            expectedOrigin: APP_ORIGIN,
            expectedRPID: RP_ID,
            requireUserVerification: true,
          });
        } catch (err) {
          stub.registrationError = (err as Error).message;
          return [400, { __type: 'WebAuthnClientMismatchException', message: stub.registrationError }];
        }
        if (!stub.registration.verified) return [400, { __type: 'WebAuthnClientMismatchException', message: 'not verified' }];
        stub.credential = stub.registration.registrationInfo.credential;
        return [200, {}];
      }
      case 'RespondToAuthChallenge': {
        const responses = body.ChallengeResponses as Record<string, string>;
        if (body.ChallengeName !== 'WEB_AUTHN' || !stub.credential || !pendingAuthChallenge) {
          return [400, { __type: 'InvalidParameterException', message: 'unexpected challenge response' }];
        }
        try {
          stub.authentication = await verifyAuthenticationResponse({
            response: JSON.parse(responses.CREDENTIAL),
            expectedChallenge: pendingAuthChallenge,
            expectedOrigin: APP_ORIGIN,
            expectedRPID: RP_ID,
            credential: stub.credential,
            requireUserVerification: true,
          });
        } catch (err) {
          stub.authenticationError = (err as Error).message;
          return [400, { __type: 'NotAuthorizedException', message: stub.authenticationError }];
        }
        if (!stub.authentication.verified) return [400, { __type: 'NotAuthorizedException', message: 'bad signature' }];
        stub.credential = { ...stub.credential, counter: stub.authentication.authenticationInfo.newCounter };
        return [200, { AuthenticationResult: tokens(responses.USERNAME), ChallengeParameters: {} }];
      }
      case 'RevokeToken':
      case 'GlobalSignOut':
        return [200, {}];
      default:
        return [400, { __type: 'InvalidParameterException', message: `Stub does not implement ${target}` }];
    }
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const header = String(req.headers['x-amz-target'] ?? '');
      const target = header.startsWith(TARGET_PREFIX) ? header.slice(TARGET_PREFIX.length) : header;
      const body = await readJson(req);
      stub.calls.push({ target, body });
      const [status, payload] = await handle(target, body);
      const headers: Record<string, string> = {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': `req-${stub.calls.length}`,
      };
      if (status >= 300) headers['x-amzn-errortype'] = (payload as { __type: string }).__type;
      res.writeHead(status, headers).end(JSON.stringify(payload));
    })().catch((err) => {
      res
        .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ __type: 'InternalErrorException', message: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  stub.endpoint = `http://127.0.0.1:${port}/`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}
