import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Services } from '../services.js';
import type { AnyOperation } from '../operations/types.js';
import { dispatch, errorResponse } from '../dispatch.js';
import {
  RequestEntityTooLargeException,
  SerializationException,
  InternalErrorException,
  ResourceNotFoundException,
  type ServiceError,
} from '../protocol/errors.js';
import { randomId } from '../security/secrets.js';
import { registerPasskeyRoutes } from './passkeys.js';

export interface AppOptions {
  services: Services;
  registry: Readonly<Record<string, AnyOperation>>;
  /** Whether this instance can serve (its store commits writes); /health/ready answers 503 when not. */
  readiness: () => Promise<{ ready: boolean; reason?: string }>;
  logger?: boolean | object;
  /** Extra routes (account page) registered by the caller. */
  extend?: (app: FastifyInstance) => void;
}

/** Cognito's user pool id pattern and length (CreateUserPool ids always match). */
const POOL_ID = /^(?=.{1,55}$)[\w-]+_[0-9a-zA-Z]+$/;

const ALLOWED_HEADERS =
  'content-type, x-amz-target, x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request, ' +
  'cache-control, authorization, x-amz-date, x-amz-content-sha256, x-amz-security-token';
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
    // Errors of the router itself (a path that does not percent-decode, an over-long path segment)
    // answer in Cognito's envelope too.
    frameworkErrors: (err, _req, reply) => {
      if (err.code === 'FST_ERR_BAD_URL') return sendError(reply, new SerializationException('The request URL could not be decoded.'));
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(reply, new ResourceNotFoundException('Not found.'), 404);
      services.log.error({ err }, 'http error');
      return sendError(reply, new InternalErrorException());
    },
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

  // A path segment that cannot be a pool id is not looked up (a NUL would fail on PostgreSQL only).
  const findPool = (poolId: string) => (POOL_ID.test(poolId) ? services.store.getPool(poolId) : Promise.resolve(undefined));
  const noPool = (reply: FastifyReply, poolId: string) =>
    sendError(
      reply,
      new ResourceNotFoundException(POOL_ID.test(poolId) ? `User pool ${poolId} does not exist.` : 'User pool does not exist.'),
      404,
    );

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/jwks.json', async (req, reply) => {
    const pool = await findPool(req.params.poolId);
    if (!pool) return noPool(reply, req.params.poolId);
    reply.header('cache-control', 'public, max-age=300');
    return services.tokens.jwks(pool.id);
  });

  app.get<{ Params: { poolId: string } }>('/:poolId/.well-known/openid-configuration', async (req, reply) => {
    const pool = await findPool(req.params.poolId);
    if (!pool) return noPool(reply, req.params.poolId);
    const issuer = services.tokens.issuer(pool.id);
    // Only what is served: there is no authorization, token or userinfo endpoint (tokens come from
    // the Cognito JSON protocol), so no response type, OAuth scope or client auth method is offered.
    const { keys } = await services.tokens.jwks(pool.id);
    const algs = [...new Set(keys.map((k) => (k as { alg?: string }).alg).filter((a): a is string => typeof a === 'string'))].sort();
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: [],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: algs,
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'jti',
        'token_use',
        'cognito:username',
        'origin_jti',
        'event_id',
        'email',
        'email_verified',
        'phone_number',
        'phone_number_verified',
      ],
    };
  });

  registerPasskeyRoutes(app, services, (reply, message) => sendError(reply, new ResourceNotFoundException(message), 404));
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
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(reply, new RequestEntityTooLargeException(`Request body exceeds ${services.config.bodyLimit} bytes`));
    if (err.statusCode && err.statusCode < 500) return sendError(reply, new SerializationException('The request could not be parsed.'));
    services.log.error({ err }, 'http error');
    return sendError(reply, new InternalErrorException());
  });

  return app;
}

function sendError(reply: FastifyReply, err: ServiceError, status?: number) {
  const res = errorResponse(err, randomId());
  return reply
    .code(status ?? res.status)
    .headers(res.headers)
    .send(res.body);
}
