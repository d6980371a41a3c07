import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import type { AppClient } from '../domain/clients.js';
import type { TokenGroupRow, UserRecord } from '../storage/store.js';
import { findUser, findUserForAdmin } from '../auth/password.js';
import { eventUserAttributes, triggerEvent } from './events.js';
import { groupClaims, userGroupsForToken } from '../auth/groups.js';
import { runPreTokenGeneration, type ClaimsEdit, type GroupConfiguration, type TokenSource } from './preToken.js';

/**
 * The request's groupConfiguration of pre token generation: the user's groups by precedence, their distinct role ARNs
 * and the preferred role — what the group claims would carry (auth/groups.ts), null preferredRole when there is none.
 */
async function groupsForToken(
  s: Pick<Services, 'store'>,
  pool: Pool,
  user: UserRecord,
  known?: readonly TokenGroupRow[],
): Promise<GroupConfiguration> {
  const claims = groupClaims(await userGroupsForToken(s, pool.id, user.id, known)).id;
  return {
    groupsToOverride: (claims['cognito:groups'] as string[] | undefined) ?? [],
    iamRolesToOverride: (claims['cognito:roles'] as string[] | undefined) ?? [],
    preferredRole: (claims['cognito:preferred_role'] as string | undefined) ?? null,
  };
}

/**
 * The pre authentication trigger (PreAuthentication_Authentication), before the credential is checked. `user` is undefined
 * for a name no user has, which reaches here only where the client prevents user-existence errors (userNotFound: true).
 * @throws UserLambdaValidationException | UnexpectedLambdaException | InvalidLambdaResponseException
 */
export async function runPreAuthentication(
  s: Pick<Services, 'triggers'>,
  pool: Pool,
  client: AppClient,
  typed: string,
  user: UserRecord | undefined,
  /** InitiateAuth's ClientMetadata: Cognito passes it to this trigger as validationData. */
  clientMetadata?: Record<string, string>,
): Promise<void> {
  const url = pool.lambdaConfig.PreAuthentication;
  if (!url) return;
  const request = {
    userAttributes: user ? eventUserAttributes(user) : {},
    validationData: clientMetadata ? { ...clientMetadata } : null,
    ...(client.preventUserExistenceErrors ? { userNotFound: user === undefined } : {}),
  };
  const event = triggerEvent(s, pool, 'PreAuthentication_Authentication', user?.username ?? typed, client.id, request, {});
  await s.triggers.invoke(pool, 'PreAuthentication', url, event);
}

/**
 * What runs between a verified sign-in and its tokens: post authentication (PostAuthentication_Authentication), then pre
 * token generation. Both before the token family is written, so either failing issues nothing and consumes nothing.
 * @throws UserLambdaValidationException | UnexpectedLambdaException | InvalidLambdaResponseException
 */
export async function runSignInTriggers(
  s: Pick<Services, 'triggers' | 'store'>,
  pool: Pool,
  client: AppClient,
  user: UserRecord,
  source: TokenSource,
  groups?: readonly TokenGroupRow[],
): Promise<ClaimsEdit | undefined> {
  const url = pool.lambdaConfig.PostAuthentication;
  if (url) {
    const request = { userAttributes: eventUserAttributes(user), newDeviceUsed: false, clientMetadata: {} };
    const event = triggerEvent(s, pool, 'PostAuthentication_Authentication', user.username, client.id, request, {});
    await s.triggers.invoke(pool, 'PostAuthentication', url, event);
  }
  return runTokenTrigger(s, pool, client, user, source, groups);
}

/** Pre token generation alone (refresh: no authentication happened). */
export async function runTokenTrigger(
  s: Pick<Services, 'triggers' | 'store'>,
  pool: Pool,
  client: AppClient,
  user: UserRecord,
  source: TokenSource,
  /** The user's groups when the step already read them. */
  groups?: readonly TokenGroupRow[],
): Promise<ClaimsEdit | undefined> {
  if (!pool.lambdaConfig.PreTokenGeneration && !pool.lambdaConfig.PreTokenGenerationConfig) return undefined;
  return runPreTokenGeneration(s, pool, client, user, source, await groupsForToken(s, pool, user, groups));
}

/**
 * PreAuthentication for a typed name, where a sign-in flow starts: skipped for an unknown name unless the client prevents
 * user-existence errors (the flow then answers UserNotFoundException itself, as Cognito does before its trigger).
 */
export async function runPreAuthenticationFor(
  s: Pick<Services, 'triggers' | 'store'>,
  pool: Pool,
  client: AppClient,
  typed: string,
  admin: boolean,
  clientMetadata?: Record<string, string>,
): Promise<void> {
  if (!pool.lambdaConfig.PreAuthentication) return;
  const user = await (admin ? findUserForAdmin(s, pool, typed) : findUser(s, pool, typed));
  if (user || client.preventUserExistenceErrors) await runPreAuthentication(s, pool, client, typed, user, clientMetadata);
}
