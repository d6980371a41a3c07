import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../services.js';
import { Pool } from '../domain/pools.js';
import { AppClient } from '../domain/clients.js';
import { providerIconSvg } from '../domain/passkeyIcons.js';
import type { PoolRecord } from '../storage/store.js';
import { FIXED } from '../config/defaults.js';

const POOL_ID = /^(?=.{1,55}$)[\w-]+_[0-9a-zA-Z]+$/;
const ICON = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.svg$/;
/** Enough pages of app clients for any pool (Cognito allows 1,000 clients per pool). */
const MAX_CLIENT_PAGES = 20;

/**
 * The passkey documents and icons (Latchkey extensions, docs/wire-contract.md):
 * - `GET /passkey-icons/<aaguid>.svg` — the provider icon of a known AAGUID (ListWebAuthnCredentials'
 *   `ProviderIconUrl`), drawn by Latchkey (domain/passkeyIcons.ts); 404 for any other name.
 * - `GET /<poolId>/.well-known/webauthn` — the Related Origin Requests document for the pool's RP ID:
 *   `{"origins":[…]}`, the web origins its app clients allow (LatchkeyUpdateUserPoolClientSettings).
 * - `GET /<poolId>/.well-known/passkey-endpoints` — `{"enroll","manage"}`: the account page.
 * Browsers fetch both documents from `https://<RP ID>/.well-known/…`: a reverse proxy on that host maps
 * them here (docs/deployment.md). `GET /.well-known/webauthn` and `/.well-known/passkey-endpoints` without a
 * pool id answer for the pools whose RP ID is the request's host name (a proxy that forwards `Host`).
 */
export function registerPasskeyRoutes(app: FastifyInstance, services: Services, notFound: (reply: FastifyReply, what: string) => unknown) {
  app.get<{ Params: { file: string } }>('/passkey-icons/:file', async (req, reply) => {
    const m = ICON.exec(req.params.file);
    const svg = m ? providerIconSvg(m[1]!) : undefined;
    if (!svg) return notFound(reply, 'Not found.');
    reply.header('cache-control', 'public, max-age=86400');
    reply.header('x-content-type-options', 'nosniff');
    // An SVG opened directly runs no script and loads nothing: the document is ours, this keeps it so.
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    return reply.code(200).type('image/svg+xml').send(svg);
  });

  const loadPool = async (poolId: string): Promise<PoolRecord | undefined> =>
    POOL_ID.test(poolId) ? services.store.getPool(poolId) : undefined;

  // On the RP ID's own host (Latchkey serves it, or a proxy forwards the Host header): the pools whose RP ID
  // is that host name, without a pool id in the path. Unauthenticated and with a Host the caller picks, so
  // answered from a short-lived per-process cache (HostDocuments), never a pool scan per request.
  const byHost = new HostDocuments(services);
  app.get('/.well-known/webauthn', async (req, reply) => {
    const origins = await byHost.origins(req.hostname);
    if (!origins) return notFound(reply, 'No user pool has this host as its RP ID.');
    reply.header('cache-control', 'public, max-age=300');
    return { origins };
  });
  app.get('/.well-known/passkey-endpoints', async (req, reply) => {
    const pools = await byHost.pools(req.hostname);
    // One account page to point at: with several pools on one RP ID, map the per-pool document instead.
    if (pools.length !== 1) return notFound(reply, 'No single user pool has this host as its RP ID.');
    const page = new URL('/account', `${services.config.publicUrl.replace(/\/+$/, '')}/`);
    page.searchParams.set('pool', pools[0]!.id);
    reply.header('cache-control', 'public, max-age=300');
    return { enroll: page.href, manage: page.href };
  });

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/webauthn', async (req, reply) => {
    const rec = await loadPool(req.params.poolId);
    if (!rec || !new Pool(rec).webAuthn?.RelyingPartyId) return notFound(reply, 'User pool does not exist or has no RP ID.');
    reply.header('cache-control', 'public, max-age=300');
    return { origins: await relatedOrigins(services, rec.id) };
  });

  app.get<{ Params: { poolId: string }; Querystring: { client?: unknown } }>(
    '/:poolId/.well-known/passkey-endpoints',
    async (req, reply) => {
      const rec = await loadPool(req.params.poolId);
      if (!rec) return notFound(reply, 'User pool does not exist.');
      const page = new URL('/account', `${services.config.publicUrl.replace(/\/+$/, '')}/`);
      page.searchParams.set('pool', rec.id);
      const client = typeof req.query.client === 'string' ? await services.store.getClient(req.query.client) : undefined;
      if (client && client.poolId === rec.id) page.searchParams.set('client', client.id);
      reply.header('cache-control', 'public, max-age=300');
      return { enroll: page.href, manage: page.href };
    },
  );
}

/** The distinct web origins (https, or http on localhost) the pool's app clients allow, sorted; app origins left out. */
async function relatedOrigins(services: Services, poolId: string): Promise<string[]> {
  const out = new Set<string>();
  let after: string | undefined;
  for (let i = 0; i < MAX_CLIENT_PAGES; i++) {
    const page = await services.store.listClients(poolId, 60, after);
    for (const c of page) for (const o of new AppClient(c).allowedOrigins) if (/^https?:\/\//.test(o)) out.add(o);
    if (page.length < 60) break;
    after = page[page.length - 1]!.id;
  }
  return [...out].sort();
}

/** Enough pages of pools for a self-hosted server; the index reads at most this many. */
const MAX_POOL_PAGES = 20;

/** Every pool with an RP ID, by lower-cased RP ID (one scan of the pools). */
async function rpIdIndex(services: Services): Promise<Map<string, PoolRecord[]>> {
  const out = new Map<string, PoolRecord[]>();
  let after: string | undefined;
  for (let i = 0; i < MAX_POOL_PAGES; i++) {
    const page = await services.store.listPools(60, after);
    for (const p of page) {
      const rpId = new Pool(p).webAuthn?.RelyingPartyId?.toLowerCase();
      if (rpId) out.set(rpId, [...(out.get(rpId) ?? []), p]);
    }
    if (page.length < 60) break;
    after = page[page.length - 1]!.id;
  }
  return out;
}

/** Whether a cache entry made `at` is still usable `now` (a clock set back makes it stale, not eternal). */
const fresh = (at: number, now: number) => now >= at && now - at < FIXED.wellKnownCacheMs.default;

/**
 * The host-addressed documents' data, per process: the RP ID index is rebuilt at most once per
 * FIXED.wellKnownCacheMs (concurrent requests share one build), and a host no pool has is answered from it,
 * so no Host header costs a scan. The origins of an RP ID are kept as long, for at most
 * FIXED.wellKnownCacheEntries RP IDs (only ones some pool has: the caller cannot grow it).
 */
class HostDocuments {
  private index?: { at: number; map: Promise<Map<string, PoolRecord[]>> };
  private readonly docs = new Map<string, { at: number; origins: Promise<string[]> }>();
  constructor(private readonly services: Services) {}

  /** The pools whose RP ID is `host` (the request's host name; a port is ignored). */
  async pools(host: string): Promise<PoolRecord[]> {
    const now = this.services.clock.now();
    if (!this.index || !fresh(this.index.at, now)) {
      const map = rpIdIndex(this.services);
      const entry = { at: now, map };
      this.index = entry;
      // A failed build is not kept: the next request tries again.
      map.catch(() => this.index === entry && (this.index = undefined));
    }
    return (await this.index.map).get(host.replace(/:\d+$/, '').toLowerCase()) ?? [];
  }

  /** The related origins of every pool on RP ID `host`, sorted; undefined when no pool has it. */
  async origins(host: string): Promise<string[] | undefined> {
    const pools = await this.pools(host);
    if (pools.length === 0) return undefined;
    const key = pools[0]!.id + '\n' + host.replace(/:\d+$/, '').toLowerCase();
    const now = this.services.clock.now();
    const hit = this.docs.get(key);
    if (hit && fresh(hit.at, now)) return hit.origins;
    const origins = (async () => {
      const out = new Set<string>();
      for (const p of pools) for (const o of await relatedOrigins(this.services, p.id)) out.add(o);
      return [...out].sort();
    })();
    this.docs.delete(key);
    if (this.docs.size >= FIXED.wellKnownCacheEntries.default) this.docs.delete(this.docs.keys().next().value!);
    const entry = { at: now, origins };
    this.docs.set(key, entry);
    origins.catch(() => this.docs.get(key) === entry && this.docs.delete(key));
    return origins;
  }
}
