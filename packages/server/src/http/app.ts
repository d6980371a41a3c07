import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Services } from '../services.js';
import type { Operation } from '../operations/types.js';
import { dispatch, errorResponse } from '../protocol/dispatch.js';
import { RequestEntityTooLargeException, SerializationException, InternalErrorException, ResourceNotFoundException } from '../protocol/errors.js';
import { randomId } from '../security/secrets.js';

export interface AppOptions {
  services: Services;
  registry: Readonly<Record<string, Operation>>;
  /** Whether this instance can serve (its store commits writes); /health/ready answers 503 when not. */
  readiness: () => Promise<{ ready: boolean; reason?: string }>;
  logger?: boolean | object;
  /** Extra routes (account page) registered by the caller. */
  extend?: (app: FastifyInstance) => void;
}

const ALLOWED_HEADERS = 'content-type, x-amz-target, x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request, cache-control, authorization, x-amz-date, x-amz-content-sha256, x-amz-security-token';
const EXPOSED_HEADERS = 'x-amzn-errortype, x-amzn-requestid';

/**
 * The HTTP adapter: parses, calls dispatch(), writes. `POST` on any path is the Cognito JSON protocol
 * (Amplify posts to the configured URL verbatim). Fastify is known only here.
 */
export function buildApp(opts: AppOptions): FastifyInstance {
  const { services } = opts;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: services.config.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });

  // Every body is read raw: SigV4 needs the exact bytes, and Cognito accepts x-amz-json-1.1 and json alike.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const cors = (origin: string | undefined, reply: FastifyReply) => {
    const allowed = services.config.corsOrigins;
    if (origin && (allowed.includes('*') || allowed.includes(origin))) {
      reply.header('access-control-allow-origin', allowed.includes('*') ? '*' : origin);
      reply.header('access-control-expose-headers', EXPOSED_HEADERS);
      if (!allowed.includes('*')) reply.header('vary', 'origin');
    }
  };

  app.addHook('onSend', async (req, reply) => {
    cors(req.headers.origin, reply);
    if (!reply.hasHeader('x-amzn-requestid')) reply.header('x-amzn-requestid', randomId());
  });

  app.options('*', async (req, reply) => {
    reply.header('access-control-allow-methods', 'POST, GET, OPTIONS');
    reply.header('access-control-allow-headers', req.headers['access-control-request-headers'] ?? ALLOWED_HEADERS);
    reply.header('access-control-max-age', '600');
    reply.code(204).send();
  });

  // Liveness: the process answers (restart it when this fails). Readiness: it can serve, i.e. the
  // store takes writes (route traffic elsewhere while this fails). /health is readiness, as before.
  app.get('/health/live', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });
  const ready = async (_req: unknown, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const state = await opts.readiness();
    if (!state.ready) return reply.code(503).send({ status: 'unavailable', reason: state.reason });
    return { status: 'ok' };
  };
  app.get('/health/ready', ready);
  app.get('/health', ready);

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/jwks.json', async (req, reply) => {
    const pool = await services.store.getPool(req.params.poolId);
    if (!pool) return sendError(reply, new ResourceNotFoundException(`User pool ${req.params.poolId} does not exist.`), 404);
    reply.header('cache-control', 'public, max-age=300');
    return services.tokens.jwks(pool.id);
  });

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/openid-configuration', async (req, reply) => {
    const pool = await services.store.getPool(req.params.poolId);
    if (!pool) return sendError(reply, new ResourceNotFoundException(`User pool ${req.params.poolId} does not exist.`), 404);
    const issuer = services.tokens.issuer(pool.id);
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      response_types_supported: ['code', 'token'],
      scopes_supported: ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'],
      claims_supported: ['sub', 'iss', 'aud', 'cognito:username', 'email', 'email_verified', 'auth_time', 'token_use'],
    };
  });

  opts.extend?.(app);

  app.post('*', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const res = await dispatch(services, opts.registry, { method: req.method, rawUrl: req.raw.url ?? '/', headers: req.headers, body });
    reply.code(res.status).headers(res.headers).send(res.body);
  });

  app.setNotFoundHandler((_req, reply) => {
    sendError(reply, new ResourceNotFoundException('Not found.'), 404);
  });

  // Fastify's own errors (body too large, bad content) still answer in Cognito's envelope.
  app.setErrorHandler((err: { code?: string; statusCode?: number }, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, new RequestEntityTooLargeException(`Request body exceeds ${services.config.bodyLimit} bytes`));
    if (err.statusCode && err.statusCode < 500) return sendError(reply, new SerializationException('The request could not be parsed.'));
    services.log.error({ err }, 'http error');
    return sendError(reply, new InternalErrorException());
  });

  return app;
}

function sendError(reply: FastifyReply, err: InstanceType<typeof InternalErrorException> | InstanceType<typeof ResourceNotFoundException>, status?: number) {
  const res = errorResponse(err, randomId());
  return reply.code(status ?? res.status).headers(res.headers).send(res.body);
}
