import type { RequestContext, Services } from '../../services.js';
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
  /** The request (IP address, User-Agent) for the sign-in's lifecycle event. */
  request?: RequestContext;
}

/**
 * The context of one InitiateAuth / RespondToAuthChallenge request or its Admin form: the four differ only in where
 * pool and client come from, which parameter map they carry and whether they are admin calls.
 */
export function stepContext(
  s: FlowContext['s'],
  pool: Pool,
  client: AppClient,
  input: { params?: Record<string, string>; Session?: string; ClientMetadata?: Record<string, string> },
  admin: boolean,
  request?: RequestContext,
): FlowContext {
  return { s, pool, client, params: input.params ?? {}, session: input.Session, clientMetadata: input.ClientMetadata, admin, request };
}
