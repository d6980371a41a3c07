import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import type { ClientRecord, PoolRecord } from '../../storage/store.js';
import { accountAssets, type AccountAsset } from './assets.js';
import { ACCOUNT_CSP, renderAccountPage, renderErrorPage, type AccountPageConfig } from './html.js';
import { Pool } from '../../domain/pools.js';

const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
const CLIENT_ID = /^[\w+]+$/;
const HOST = /^(?:[\w.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** An answer for the page request that is not the page. */
class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const USAGE = 'Open /account?pool=<user pool id>&client=<app client id>.';

/**
 * Registers the account page:
 * - `GET /account[?pool=<id>&client=<id>]` — the page (HTML), for the given pool and app client or,
 *   by default, the development pool (store meta `dev_pool`). 400/404 HTML pages otherwise.
 * - `GET /account/app.js`, `GET /account/style.css` — the bundle (see assets.ts).
 */
export function registerAccountPage(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: Record<string, unknown> }>('/account', async (req, reply) => {
    securityHeaders(reply);
    reply.header('content-security-policy', ACCOUNT_CSP);
    reply.header('cache-control', 'no-store');
    reply.type('text/html; charset=utf-8');
    try {
      const { pool, client } = await selectPoolAndClient(services, req.query);
      const webAuthn = pool.config.WebAuthnConfiguration;
      const config: AccountPageConfig = {
        userPoolId: pool.id,
        userPoolClientId: client.id,
        endpoint: `${origin(req, services)}/`,
        ...(webAuthn?.RelyingPartyId ? { relyingPartyId: webAuthn.RelyingPartyId } : {}),
        // (a pool without a SignInPolicy allows PASSWORD only, as in Cognito)
        ...(pool.config.Policies?.SignInPolicy?.AllowedFirstAuthFactors?.includes('EMAIL_OTP') ? { emailOtp: true } : {}),
        ...(new Pool(pool).totpMfaEnabled ? { totp: true } : {}),
      };
      return reply.code(200).send(renderAccountPage(config));
    } catch (err) {
      if (!(err instanceof PageError)) throw err;
      return reply.code(err.status).send(renderErrorPage(err.title, err.message, err.hint));
    }
  });

  const asset = (name: 'app.js' | 'style.css', type: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply);
    let file: AccountAsset;
    try {
      file = (await accountAssets())[name];
    } catch (err) {
      services.log.error({ err }, 'account page bundle unavailable');
      return reply.code(503).type('text/plain; charset=utf-8').send('The account page bundle is unavailable; run npm run build.');
    }
    reply.header('cache-control', 'no-cache');
    reply.header('etag', file.etag);
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.code(200).type(type).send(file.body);
  };
  app.get('/account/app.js', asset('app.js', 'text/javascript; charset=utf-8'));
  app.get('/account/style.css', asset('style.css', 'text/css; charset=utf-8'));
}

function securityHeaders(reply: FastifyReply): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
}

/** The page's own origin as the browser sees it (the endpoint app.js posts to). */
function origin(req: FastifyRequest, services: Services): string {
  const host = req.headers.host;
  if (host && HOST.test(host)) return `${req.protocol}://${host}`;
  return services.config.publicUrl.replace(/\/+$/, '');
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new PageError(400, 'Invalid request', `Give "${name}" once.`, USAGE);
  return value;
}

/**
 * The pool and public app client the page signs in to: from `?pool=&client=` (either may be omitted
 * when the other determines it), else the development pool.
 */
async function selectPoolAndClient(
  services: Services,
  query: Record<string, unknown>,
): Promise<{ pool: PoolRecord; client: ClientRecord }> {
  const { store } = services;
  let poolId = single(query, 'pool');
  let clientId = single(query, 'client');
  if (poolId !== undefined && (poolId.length > 55 || !POOL_ID.test(poolId))) {
    throw new PageError(400, 'Invalid user pool id', `"${poolId}" is not a valid user pool id.`, USAGE);
  }
  if (clientId !== undefined && (clientId.length > 128 || !CLIENT_ID.test(clientId))) {
    throw new PageError(400, 'Invalid app client id', `"${clientId}" is not a valid app client id.`, USAGE);
  }

  if (poolId === undefined && clientId === undefined) {
    const raw = await store.getMeta('dev_pool');
    let dev: { userPoolId?: unknown; userPoolClientId?: unknown } | undefined;
    try {
      dev = raw ? (JSON.parse(raw) as typeof dev) : undefined;
    } catch {
      dev = undefined;
    }
    if (typeof dev?.userPoolId !== 'string' || typeof dev.userPoolClientId !== 'string') {
      throw new PageError(
        400,
        'No user pool selected',
        'This server has no development pool (it was started with --no-dev), so the page needs to be told which pool to use.',
        USAGE,
      );
    }
    poolId = dev.userPoolId;
    clientId = dev.userPoolClientId;
  }

  let client: ClientRecord | undefined;
  if (clientId !== undefined) {
    client = await store.getClient(clientId);
    if (!client) throw new PageError(404, 'App client not found', `App client "${clientId}" does not exist.`, USAGE);
    if (poolId !== undefined && client.poolId !== poolId) {
      throw new PageError(400, 'App client not in this pool', `App client "${clientId}" does not belong to user pool "${poolId}".`, USAGE);
    }
  }
  const pool = await store.getPool(poolId ?? client!.poolId);
  if (!pool) throw new PageError(404, 'User pool not found', `User pool "${poolId}" does not exist.`, USAGE);

  if (!client) {
    const clients = (await store.listClients(pool.id, 60)).filter((c) => !c.config.ClientSecret);
    if (clients.length !== 1) {
      throw new PageError(
        400,
        'App client required',
        `User pool "${pool.id}" has ${clients.length === 0 ? 'no public app client' : 'several app clients'}; choose one.`,
        USAGE,
      );
    }
    client = clients[0]!;
  }
  if (client.config.ClientSecret) {
    throw new PageError(
      400,
      'Public app client required',
      `App client "${client.id}" has a client secret; a browser page can only use a public app client (no secret).`,
      USAGE,
    );
  }
  return { pool, client };
}
