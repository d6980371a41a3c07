/**
 * Error assertions shared by the server suites:
 *  - `expectServiceError`: an AWS SDK call fails with the named Cognito error and HTTP 400 (never a 500);
 *  - `expectRawError`: the same for a raw JSON-protocol reply;
 *  - `rejection`: the ServiceError a server function (called directly, not over the wire) rejects with;
 *  - `webAuthnRejection`: the WebAuthnVerificationError a WebAuthn verifier rejects with;
 *  - `expectNoInternalErrors`: no request of a suite ended in an internal error.
 */
import { expect } from 'vitest';
import { ServiceError } from '../../src/protocol/errors.js';
import { WebAuthnVerificationError } from '../../src/security/webauthn/index.js';
import type { TestServer } from './harness.js';

/** What the AWS SDK v3 throws for a service error. */
export interface SdkError {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * Expects an AWS SDK call to fail with the named error and HTTP 400. Returns the error.
 * `message`: a string must be the whole message; a RegExp must match it.
 * `requestId`: also expect the SDK to have read a request id from the response.
 */
export async function expectServiceError(
  p: Promise<unknown>,
  name: string,
  message?: string | RegExp,
  opts: { requestId?: boolean } = {},
): Promise<SdkError> {
  let err: SdkError | undefined;
  let result: unknown;
  try {
    result = await p;
  } catch (e) {
    err = e as SdkError;
  }
  expect(err, `expected ${name}, but the call succeeded with ${JSON.stringify(result)?.slice(0, 300)}`).toBeDefined();
  expect({ name: err!.name, status: err!.$metadata?.httpStatusCode }, `${err!.name}: ${err!.message}`).toEqual({ name, status: 400 });
  if (opts.requestId) expect(err!.$metadata?.requestId).toBeTruthy();
  if (message !== undefined) {
    if (typeof message === 'string') expect(err!.message).toBe(message);
    else expect(err!.message).toMatch(message);
  }
  return err!;
}

/** Expects a raw reply to be the named error with HTTP 400. */
export function expectRawError(r: { status: number; json: any }, name: string): void {
  expect({ status: r.status, type: r.json?.__type }, JSON.stringify(r.json)).toEqual({ status: 400, type: name });
}

/** Expects `p` to reject with a ServiceError (a server function called directly) and returns it. */
export async function rejection(p: Promise<unknown>): Promise<ServiceError> {
  const outcome = await p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(ServiceError);
  return outcome.error as ServiceError;
}

/** Expects `p` to reject with a WebAuthnVerificationError (a verifier called directly) and returns it. */
export async function webAuthnRejection(p: Promise<unknown>): Promise<WebAuthnVerificationError> {
  const outcome = await p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(WebAuthnVerificationError);
  return outcome.error as WebAuthnVerificationError;
}

/** No request of the suite ended in an internal error (the dispatcher logs every 500 at level error). */
export function expectNoInternalErrors(srv: TestServer): void {
  const errors = srv.log.lines.filter((l) => l.level === 'error');
  expect(
    errors.map((l) => `${l.msg} ${JSON.stringify(l.obj, (_k, v) => (v instanceof Error ? `${v.name}: ${v.message}\n${v.stack}` : v))}`),
  ).toEqual([]);
}
