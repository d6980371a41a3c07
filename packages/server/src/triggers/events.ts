import type { Services } from '../services.js';
import type { Pool } from '../domain/pools.js';
import type { UserRecord } from '../storage/store.js';
import type { TriggerEvent } from './invoke.js';

/** callerContext.clientId of an event from an admin operation that names no app client, as Cognito sends it. */
export const NO_CLIENT = 'CLIENT_ID_NOT_APPLICABLE';

/** callerContext.awsSdkVersion: Latchkey does not parse the caller's User-Agent; Cognito's value for an unknown SDK. */
const SDK_VERSION = 'aws-sdk-unknown-unknown';

/** The common members of every trigger event (Cognito's "common parameters"), with the trigger's request and response. */
export function triggerEvent(
  s: Pick<Services, 'triggers'>,
  pool: Pool,
  triggerSource: string,
  userName: string,
  clientId: string,
  request: Record<string, unknown>,
  response: Record<string, unknown>,
  version = '1',
): TriggerEvent {
  return {
    version,
    triggerSource,
    region: s.triggers.region,
    userPoolId: pool.id,
    userName,
    callerContext: { awsSdkVersion: SDK_VERSION, clientId },
    request,
    response,
  };
}

/** A stored user's attributes as events carry them: sub first, then the attributes, then cognito:user_status. */
export function eventUserAttributes(user: UserRecord): Record<string, string> {
  const { sub: _sub, ...rest } = user.attributes;
  return { sub: user.id, ...rest, 'cognito:user_status': user.status };
}

/** AttributeType[] (ValidationData) as the event's name → value map; null when none was sent, as Cognito sends it. */
export function attributeMap(list: readonly { Name?: string; Value?: string }[] | undefined): Record<string, string> | null {
  if (!list) return null;
  return Object.fromEntries(list.flatMap((a) => (a.Name ? [[a.Name, a.Value ?? '']] : [])));
}

/** ClientMetadata as events carry it ({} when none was sent). */
export const metadata = (m: Record<string, string> | undefined): Record<string, string> => ({ ...(m ?? {}) });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A response member that must be absent, null or a boolean; undefined when the receiver left it out. */
export function optionalBool(response: Record<string, unknown>, key: string): boolean | undefined | 'invalid' {
  const v = response[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'boolean' ? v : 'invalid';
}

export { isObject };
