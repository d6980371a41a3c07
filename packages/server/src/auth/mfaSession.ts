import type { Services } from '../services.js';
import type { AuthSessionRecord, UserRecord } from '../storage/store.js';
import { Pool } from '../domain/pools.js';
import { AppClient } from '../domain/clients.js';
import { NotAuthorizedException } from '../protocol/errors.js';
import { sha256Hex } from '../security/secrets.js';
import { SESSION_EXPIRED } from './sessions.js';

/** What AssociateSoftwareToken / VerifySoftwareToken called with an MFA_SETUP Session act on. */
export interface SetupSession {
  pool: Pool;
  client: AppClient;
  user: UserRecord;
  rec: AuthSessionRecord;
  hash: string;
}

/**
 * Reads (without consuming) the MFA_SETUP Session of a sign-in. These operations take no ClientId:
 * the Session names its pool, client and user.
 * @throws NotAuthorizedException("Invalid session for the user, session is expired.")
 */
export async function peekSetupSession(s: Pick<Services, 'store' | 'clock'>, token: string): Promise<SetupSession> {
  const hash = sha256Hex(token);
  const rec = await s.store.peekAuthSession(hash, s.clock.now());
  if (!rec || !rec.userId) throw new NotAuthorizedException(SESSION_EXPIRED, 'unknown, used or expired session');
  if (rec.state.kind !== 'MFA_SETUP') throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  const [poolRec, clientRec, user] = await Promise.all([
    s.store.getPool(rec.poolId),
    s.store.getClient(rec.clientId),
    s.store.getUser(rec.poolId, rec.userId),
  ]);
  if (!poolRec || !clientRec || !user) throw new NotAuthorizedException(SESSION_EXPIRED, 'pool, client or user gone');
  return { pool: new Pool(poolRec), client: new AppClient(clientRec), user, rec, hash };
}
