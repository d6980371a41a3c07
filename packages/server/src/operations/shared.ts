import { CodeMismatchException, ResourceNotFoundException, InvalidParameterException, UserNotFoundException } from '../protocol/errors.js';
import { common, v, type Infer, type Shape } from '../protocol/validate.js';
import { operation, type Operation } from './types.js';
import type { CodePurpose, UserRecord } from '../storage/store.js';
import { issueStandInCode, type CodeDeliveryDetails } from '../auth/codes.js';
import { admitCodeSend, nameBudgetKey } from '../auth/sendBudget.js';
import type { RequestContext } from '../services.js';
import { maskDestination } from '../domain/sender.js';
import { assertSecretHash, findUser, findUserForAdmin } from '../auth/password.js';
import { deliveryTarget } from '../domain/users.js';
import type { Services } from '../services.js';
import { Pool } from '../domain/pools.js';
import { AppClient } from '../domain/clients.js';
import { macToken, safeEqual } from '../security/secrets.js';
import { standInTarget } from '../auth/standInDelivery.js';

/**
 * `fresh`: bypass the per-process cache; every read-modify-write of a pool or client (an admin update) passes it, so
 * a change another instance made a moment ago is not written back undone.
 * @throws ResourceNotFoundException when the pool does not exist.
 */
export async function loadPool(s: Pick<Services, 'store'>, poolId: string, opts: { fresh?: boolean } = {}): Promise<Pool> {
  const rec = await s.store.getPool(poolId, opts);
  if (!rec) throw new ResourceNotFoundException(`User pool ${poolId} does not exist.`);
  return new Pool(rec);
}

/** @throws ResourceNotFoundException when the client does not exist (or is in another pool). */
export async function loadClient(
  s: Pick<Services, 'store'>,
  clientId: string,
  poolId?: string,
  opts: { fresh?: boolean } = {},
): Promise<AppClient> {
  const rec = await s.store.getClient(clientId, opts);
  if (!rec || (poolId !== undefined && rec.poolId !== poolId))
    throw new ResourceNotFoundException(`User pool client ${clientId} does not exist.`);
  return new AppClient(rec);
}

/**
 * Opaque, tamper-proof pagination tokens: base64url(JSON) + '.' + HMAC, bound to a scope (e.g. the
 * pool or the user) so a token from another listing is refused.
 */
export function encodePageToken(s: Pick<Services, 'box'>, scope: string, cursor: unknown): string {
  const body = Buffer.from(JSON.stringify(cursor)).toString('base64url');
  return `${body}.${macToken(s.box.macKey, `${scope}\n${body}`)}`;
}

/** @throws InvalidParameterException for a forged, foreign or garbled token. */
export function decodePageToken<T>(s: Pick<Services, 'box'>, scope: string, token: string): T {
  const [body, tag, extra] = token.split('.');
  if (!body || !tag || extra !== undefined || !safeEqual(tag, macToken(s.box.macKey, `${scope}\n${body}`))) {
    throw new InvalidParameterException('Invalid pagination token.');
  }
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    throw new InvalidParameterException('Invalid pagination token.');
  }
}

/** Admin operations address a user by username (or alias). @throws UserNotFoundException */
export async function loadUser(s: Pick<Services, 'store'>, pool: Pool, username: string) {
  const user = await findUserForAdmin(s, pool, username);
  if (!user) throw new UserNotFoundException('User does not exist.');
  return user;
}

const adminUserShape = { UserPoolId: common.userPoolId(), Username: common.username() };

/**
 * An admin (SigV4) operation on one user addressed by `UserPoolId` + `Username` (or alias): the pool
 * and user are loaded (ResourceNotFoundException / UserNotFoundException) before `act` runs. `act`
 * declares the services it uses; the operation adds the store it loads the user with.
 */
export function adminUserOperation<E extends Shape, O, K extends keyof Services = never>(
  extra: E,
  act: (s: Pick<Services, K>, pool: Pool, user: UserRecord, input: Infer<typeof adminUserShape & E>, ctx: RequestContext) => Promise<O>,
): Operation<typeof adminUserShape & E, O, K | 'store'> {
  return operation({
    auth: 'sigv4',
    input: { ...adminUserShape, ...extra },
    async handle(s: Pick<Services, K | 'store'>, input, ctx) {
      // TypeScript cannot see through Infer of a generic shape; every shape here extends adminUserShape.
      const { UserPoolId, Username } = input as Infer<typeof adminUserShape>;
      const pool = await loadPool(s, UserPoolId);
      const user = await loadUser(s, pool, Username);
      return act(s, pool, user, input, ctx);
    },
  });
}

/**
 * What ForgotPassword / ResendConfirmationCode answer for a user who gets no code when user-existence
 * errors are prevented: the shape of a real delivery, stable for the typed name. A known user's is the
 * mask of where their codes go (the same as the operation that does send them one answers); a typed
 * email is masked as a real one would be; for any other name the two visible letters are derived from
 * it under the server key, so nothing tells them from a real user's.
 */
function simulatedDelivery(
  s: Pick<Services, 'box'>,
  pool: Pool,
  typed: string,
  user?: UserRecord,
): { CodeDeliveryDetails: CodeDeliveryDetails } {
  const target = user && deliveryTarget(user);
  if (target)
    return {
      CodeDeliveryDetails: {
        Destination: maskDestination(target.destination),
        DeliveryMedium: target.medium,
        AttributeName: target.attribute,
      },
    };
  const stand = standInTarget(s, pool, typed);
  return {
    CodeDeliveryDetails: { Destination: maskDestination(stand.destination), DeliveryMedium: stand.medium, AttributeName: stand.attribute },
  };
}

/** The app client and its pool, for operations identified by `ClientId`. @throws ResourceNotFoundException */
export async function loadClientPool(s: Pick<Services, 'store'>, clientId: string): Promise<{ client: AppClient; pool: Pool }> {
  const client = await loadClient(s, clientId);
  return { client, pool: await loadPool(s, client.poolId) };
}

/** Members of every unauthenticated request about one user (SignUp, ConfirmSignUp, ForgotPassword, …). */
export const publicUserShape = {
  ClientId: common.clientId(),
  Username: common.username(),
  SecretHash: v.str({ min: 1, max: 128 }),
  ClientMetadata: common.clientMetadata(),
  UserContextData: v.doc(),
  AnalyticsMetadata: v.doc(),
};

/**
 * Client, pool (with the confidential client's SECRET_HASH checked) and the user `Username` names, if any.
 * @throws ResourceNotFoundException | NotAuthorizedException
 */
export async function loadPublicUserRequest(
  s: Pick<Services, 'store'>,
  input: { ClientId: string; Username: string; SecretHash?: string },
) {
  const { client, pool } = await loadClientPool(s, input.ClientId);
  assertSecretHash(client, input.Username, input.SecretHash);
  return { client, pool, user: await findUser(s, pool, input.Username) };
}

/** The answer to a code for an unknown user: a plain mismatch when user-existence errors are prevented. */
export function unknownUserForCode(client: AppClient): Error {
  return client.preventUserExistenceErrors
    ? new CodeMismatchException('Invalid verification code provided, please try again.')
    : new UserNotFoundException('Username/client id combination not found.');
}

/**
 * The answer to a code request for a user who gets no code (unknown, or known but not in a state to
 * receive one): with existence errors prevented, a stand-in code (one write, like a real code's; see
 * useStandInCode) and a simulated delivery; else `otherwise` is thrown. The stand-in spends the typed
 * name's send budget at the point a real send does (admitCodeSend), so the limit cannot tell them apart;
 * `budgetAdmitted` when the caller already spent it (ForgotPassword spends it before the migration trigger).
 * @throws LimitExceededException when the name's send budget is used up.
 */
export async function noDelivery(
  s: Pick<Services, 'store' | 'clock' | 'box'>,
  client: AppClient,
  pool: Pool,
  typed: string,
  user: UserRecord | undefined,
  purpose: CodePurpose,
  otherwise: Error,
  budgetAdmitted = false,
) {
  if (!client.preventUserExistenceErrors) throw otherwise;
  if (!budgetAdmitted) await admitCodeSend(s, pool, nameBudgetKey(s, pool, typed), purpose);
  await issueStandInCode(s, pool, typed, purpose);
  return simulatedDelivery(s, pool, typed, user);
}

/** UserNotFoundException as ForgotPassword / ResendConfirmationCode word it. */
export const deliveryUserNotFound = () => new UserNotFoundException('Username/client id combination not found.');
