import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import type { AppClient } from '../domain/clients.js';
import type { UserRecord } from '../storage/store.js';
import { InvalidLambdaResponseException } from '../protocol/errors.js';
import { preTokenTarget } from './config.js';
import { eventUserAttributes, isObject, triggerEvent } from './events.js';

/** The triggerSource values of pre token generation that Latchkey sends. */
export type TokenSource =
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_AuthenticateDevice'
  | 'TokenGeneration_RefreshTokens';

/** Rewrites a token's claims just before it is signed (security/tokens.ts IssueInput.edit). */
export type ClaimsEdit = (use: 'id' | 'access', claims: Record<string, unknown>) => Record<string, unknown>;

/**
 * Claims a trigger can neither add, override nor suppress (Cognito's list), plus the group claims, which change only
 * through groupOverrideDetails. Attempts are ignored, never applied.
 */
const FIXED_CLAIMS = new Set([
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'cognito:username',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
  'cognito:groups',
  'cognito:roles',
  'cognito:preferred_role',
]);
/** Access-token claims that are Cognito's own as well (the scope changes through scopesToAdd / scopesToSuppress). */
const FIXED_ACCESS = new Set(['client_id', 'scope', 'username', 'event_id', 'version', 'device_key']);
/** Id-token claims that take only a plain string, number or boolean, even in V2. */
const SCALAR_ID = new Set(['phone_number_verified', 'email_verified', 'updated_at', 'address']);

const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

interface Edit {
  add: Record<string, unknown>;
  suppress: string[];
}
interface Parsed {
  id?: Edit;
  access?: Edit & { scopesToAdd: string[]; scopesToSuppress: string[] };
  /** undefined: keep the groups; null: suppress them; else replace. */
  groups?: { groupsToOverride: string[]; iamRolesToOverride: string[]; preferredRole?: string } | null;
}

const invalid = (why: string) => new InvalidLambdaResponseException('Unrecognizable lambda output', `PreTokenGeneration: ${why}`);
const strings = (v: unknown, what: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalid(`${what} is not a list of strings`);
  return v;
};
function claims(v: unknown, what: string, v1: boolean): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw invalid(`${what} is not an object`);
  if (v1 && !Object.values(v).every((x) => typeof x === 'string')) throw invalid(`${what}: V1_0 claims are strings`);
  return v;
}
function groups(v: unknown): Parsed['groups'] {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (!isObject(v)) throw invalid('groupOverrideDetails is not an object');
  const preferredRole = v.preferredRole;
  if (preferredRole !== undefined && preferredRole !== null && typeof preferredRole !== 'string') throw invalid('preferredRole');
  return {
    groupsToOverride: strings(v.groupsToOverride, 'groupsToOverride'),
    iamRolesToOverride: strings(v.iamRolesToOverride, 'iamRolesToOverride'),
    ...(typeof preferredRole === 'string' ? { preferredRole } : {}),
  };
}

/** Reads the trigger's response per event version. @throws InvalidLambdaResponseException */
function parseResponse(response: Record<string, unknown>, version: 'V1_0' | 'V2_0'): Parsed {
  if (version === 'V1_0') {
    const d = response.claimsOverrideDetails;
    if (d === undefined || d === null) return {};
    if (!isObject(d)) throw invalid('claimsOverrideDetails is not an object');
    return {
      id: {
        add: claims(d.claimsToAddOrOverride, 'claimsToAddOrOverride', true),
        suppress: strings(d.claimsToSuppress, 'claimsToSuppress'),
      },
      groups: groups(d.groupOverrideDetails),
    };
  }
  const d = response.claimsAndScopeOverrideDetails;
  if (d === undefined || d === null) return {};
  if (!isObject(d)) throw invalid('claimsAndScopeOverrideDetails is not an object');
  const idGen = d.idTokenGeneration ?? {};
  const accessGen = d.accessTokenGeneration ?? {};
  if (!isObject(idGen) || !isObject(accessGen)) throw invalid('idTokenGeneration / accessTokenGeneration is not an object');
  const id = { add: claims(idGen.claimsToAddOrOverride, 'idTokenGeneration.claimsToAddOrOverride', false), suppress: [] as string[] };
  id.suppress = strings(idGen.claimsToSuppress, 'idTokenGeneration.claimsToSuppress');
  for (const [k, v] of Object.entries(id.add))
    if (SCALAR_ID.has(k) && typeof v === 'object' && v !== null) throw invalid(`${k} takes no complex value in the id token`);
  const scopesToAdd = strings(accessGen.scopesToAdd, 'scopesToAdd');
  if (scopesToAdd.some((x) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(x))) throw invalid('a scope is not a scope-token');
  return {
    id,
    access: {
      add: claims(accessGen.claimsToAddOrOverride, 'accessTokenGeneration.claimsToAddOrOverride', false),
      suppress: strings(accessGen.claimsToSuppress, 'accessTokenGeneration.claimsToSuppress'),
      scopesToAdd,
      scopesToSuppress: strings(accessGen.scopesToSuppress, 'scopesToSuppress'),
    },
    groups: groups(d.groupOverrideDetails),
  };
}

function applyEdit(use: 'id' | 'access', c: Record<string, unknown>, e: Edit | undefined): void {
  if (!e) return;
  const fixed = (k: string) => FIXED_CLAIMS.has(k) || (use === 'access' && FIXED_ACCESS.has(k));
  for (const [k, v] of Object.entries(e.add)) if (!fixed(k)) c[k] = v;
  // A claim both suppressed and added is suppressed (Cognito's rule).
  for (const k of e.suppress) if (!fixed(k)) delete c[k];
}

/** The token rewrite for a parsed response (exported for unit tests of the claim rules). */
export function claimsEdit(parsed: Parsed): ClaimsEdit {
  return (use, input) => {
    const c = { ...input };
    applyEdit(use, c, use === 'id' ? parsed.id : parsed.access);
    if (use === 'access' && parsed.access) {
      const scopes = String(c.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const next = [...new Set([...scopes, ...parsed.access.scopesToAdd])].filter((x) => !parsed.access!.scopesToSuppress.includes(x));
      if (next.length) c.scope = next.join(' ');
      else delete c.scope;
    }
    if (parsed.groups !== undefined) {
      delete c['cognito:groups'];
      delete c['cognito:roles'];
      delete c['cognito:preferred_role'];
      const g = parsed.groups;
      if (g?.groupsToOverride.length) c['cognito:groups'] = g.groupsToOverride;
      if (g?.iamRolesToOverride.length) c['cognito:roles'] = g.iamRolesToOverride;
      if (g?.preferredRole) c['cognito:preferred_role'] = g.preferredRole;
    }
    return c;
  };
}

/**
 * The pre token generation trigger (V1_0: id token claims and groups; V2_0: id and access claims, scopes, groups), called
 * before a sign-in's token family is written, so a failure issues nothing. `groups` is the user's groups by precedence
 * (the request's groupConfiguration). Without the trigger: undefined (tokens as issued).
 * @throws UserLambdaValidationException | UnexpectedLambdaException | InvalidLambdaResponseException
 */
export async function runPreTokenGeneration(
  s: Pick<Services, 'triggers'>,
  pool: Pool,
  client: AppClient,
  user: UserRecord,
  source: TokenSource,
  groups: readonly string[],
): Promise<ClaimsEdit | undefined> {
  const target = preTokenTarget(pool.lambdaConfig);
  if (!target) return undefined;
  const v2 = target.version === 'V2_0';
  const request = {
    userAttributes: eventUserAttributes(user),
    ...(v2 ? { scopes: [ADMIN_SCOPE] } : {}),
    groupConfiguration: { groupsToOverride: [...groups], iamRolesToOverride: [], preferredRole: null },
    clientMetadata: {},
  };
  const response = v2 ? { claimsAndScopeOverrideDetails: null } : { claimsOverrideDetails: null };
  const event = triggerEvent(s, pool, source, user.username, client.id, request, response, v2 ? '2' : '1');
  const answer = await s.triggers.invoke(pool, 'PreTokenGeneration', target.url, event);
  return claimsEdit(parseResponse(answer.response, target.version));
}
