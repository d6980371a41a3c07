import type { Services } from '../../services.js';
import type { Pool } from '../../domain/pools.js';
import type { AppClient } from '../../domain/clients.js';

/** What every sign-in step handler gets. */
export interface FlowContext {
  s: Pick<Services, 'store' | 'clock' | 'box' | 'log' | 'tokens' | 'sender' | 'triggers'>;
  pool: Pool;
  client: AppClient;
  /** AuthParameters or ChallengeResponses. */
  params: Record<string, string>;
  session?: string;
  /** The request's ClientMetadata, for triggers (pre authentication's validationData, user migration). */
  clientMetadata?: Record<string, string>;
  /** Called through AdminInitiateAuth / AdminRespondToAuthChallenge. */
  admin: boolean;
}
