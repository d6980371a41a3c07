import type { Infer, Shape } from '../protocol/validate.js';
import type { RequestContext, Services } from '../services.js';

/**
 * One Cognito operation. `auth: 'sigv4'` operations are admin (IAM) operations: the protocol layer
 * verifies the AWS signature before validation. Token-authorized operations are `auth: 'none'` at the
 * protocol level and verify their AccessToken themselves.
 *
 * The handler's input type is the one its schema validates (`Infer<S>`), its output type is the wire
 * shape it promises, and `K` names the services it may touch: a handler reaching for a service it did not
 * declare, reading a member its schema does not let through, or answering a misspelled member fails to compile.
 */
export interface Operation<S extends Shape, O, K extends keyof Services> {
  readonly auth: 'sigv4' | 'none';
  readonly input: S;
  handle(services: Pick<Services, K>, input: Infer<S>, ctx: RequestContext): Promise<O>;
}

/**
 * An operation with its types erased, for the registry and dispatch, which hold every operation alike.
 * Every `Operation` is one: `handle` is a method, so its parameters are compared bivariantly, and a
 * handler is only ever called with all of the services and the output of `validate(input, …)`.
 */
export interface AnyOperation {
  readonly auth: 'sigv4' | 'none';
  readonly input: Shape;
  handle(services: Services, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
}

/** Declares an operation, inferring its input type from `input` and its services from `handle`'s first parameter. */
export function operation<S extends Shape, O, K extends keyof Services = never>(def: Operation<S, O, K>): Operation<S, O, K> {
  return def;
}

/**
 * An AWS SDK output shape as the JSON protocol carries it: the SDK models timestamps as `Date`, the wire
 * sends epoch seconds.
 */
export type Wire<T> = T extends Date
  ? number
  : T extends readonly (infer E)[]
    ? Wire<E>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** The answer of an operation the SDK models without output (DeleteUser, …): an empty JSON object. */
export type NoOutput = Record<string, never>;
