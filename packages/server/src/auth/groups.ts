import type { Services } from '../services.js';
import type { TokenGroupRow } from '../storage/store.js';
import { FIXED } from '../config/defaults.js';

/** One group as tokens carry it. */
export interface TokenGroup {
  name: string;
  roleArn: string | null;
  precedence: number | null;
}

/**
 * Cognito's group order: by precedence, lower first, groups without one after every numbered group; ties
 * (equal or absent precedence) by name, so the order is stable from one token to the next.
 */
export function byPrecedence(a: TokenGroup, b: TokenGroup): number {
  const pa = a.precedence ?? Number.POSITIVE_INFINITY;
  const pb = b.precedence ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The user's groups, ordered as `cognito:groups` lists them (byPrecedence), with their role ARNs. The input of
 * the group claims and of pre-token-generation's `groupConfiguration` (every group: a user is in at most
 * FIXED.maxGroupsPerUser).
 */
export async function userGroupsForToken(
  s: Pick<Services, 'store'>,
  poolId: string,
  userId: string,
  /** The groups when the step's own read already brought them (Store.readPasskeySignIn, readRefresh). */
  known?: readonly TokenGroupRow[],
): Promise<TokenGroup[]> {
  const rows: readonly TokenGroupRow[] = known ?? (await s.store.listGroupsForUser(poolId, userId, TOKEN_GROUP_LIMIT));
  return rows.map((g) => ({ name: g.name, roleArn: g.roleArn, precedence: g.precedence })).sort(byPrecedence);
}

/** How many of a user's groups a token read fetches: every one (a user is in at most FIXED.maxGroupsPerUser). */
export const TOKEN_GROUP_LIMIT = FIXED.maxGroupsPerUser.default + 1;

/**
 * The claims groups add: `cognito:groups` (both tokens) and, for the id token, `cognito:roles` (every distinct
 * role ARN, in group order) and `cognito:preferred_role` — the role of the strongest group that has one, left
 * out when several groups of that same precedence name different roles (as Cognito documents). No groups, no claims.
 */
export function groupClaims(groups: readonly TokenGroup[]): { access: Record<string, unknown>; id: Record<string, unknown> } {
  if (groups.length === 0) return { access: {}, id: {} };
  const names = groups.map((g) => g.name);
  const id: Record<string, unknown> = { 'cognito:groups': names };
  const withRole = groups.filter((g) => g.roleArn !== null);
  if (withRole.length > 0) {
    id['cognito:roles'] = [...new Set(withRole.map((g) => g.roleArn!))];
    const best = withRole[0]!.precedence;
    const contenders = new Set(withRole.filter((g) => g.precedence === best).map((g) => g.roleArn!));
    if (contenders.size === 1) id['cognito:preferred_role'] = withRole[0]!.roleArn;
  }
  return { access: { 'cognito:groups': names }, id };
}
