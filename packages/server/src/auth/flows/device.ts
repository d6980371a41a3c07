import type { FlowContext } from './context.js';
import { consumeSession, issueSession, SESSION_EXPIRED } from '../sessions.js';
import { signedIn, type AuthOutput } from '../results.js';
import { deviceDoesNotExist, usersDevice } from '../devices.js';
import { assertUserCanSignIn, INCORRECT, srpIdentityOf } from '../password.js';
import { parseSrpTimestamp } from '@latchkey/wire';
import { isValidSrpA, srpProof, startSrpSession, verifyDevicePasswordClaim } from '../../security/srp.js';
import { randomBytesB64, safeEqual, sha256Hex } from '../../security/secrets.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import { FIXED } from '../../config/defaults.js';

/** What the DEVICE_PASSWORD_VERIFIER step keeps in its session (b never leaves the server). */
interface DeviceSrpState {
  kind: 'DEVICE_PASSWORD_VERIFIER';
  dk: string;
  b: string;
  B: string;
  A: string;
  v: string;
  /** SHA-256 of the SECRET_BLOCK handed out. */
  sb: string;
}

/**
 * RespondToAuthChallenge DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A}: consumes the step's session (single
 * use, bound to the device the password step named) and answers DEVICE_PASSWORD_VERIFIER with the device's
 * SALT, SRP_B (from its stored verifier) and a SECRET_BLOCK.
 * @throws InvalidParameterException | NotAuthorizedException | ResourceNotFoundException("Device does not exist.")
 */
export async function respondDeviceSrpAuth(ctx: FlowContext): Promise<AuthOutput> {
  const { DEVICE_KEY: key, SRP_A: srpA } = ctx.params;
  if (!key) throw new InvalidParameterException('Missing required parameter DEVICE_KEY');
  if (!srpA) throw new InvalidParameterException('Missing required parameter SRP_A');
  if (!isValidSrpA(srpA)) throw new InvalidParameterException('SRP_A is invalid.');
  const rec = await consumeSession(ctx.s, ctx.client, ctx.session);
  const st = rec.state as { kind?: unknown; dk?: unknown };
  if (st.kind !== 'DEVICE_SRP_AUTH' || !rec.userId) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  if (st.dk !== key) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another device');
  const device = await usersDevice(ctx, rec.userId, key);
  if (!device || !device.srpVerifier || !device.srpSalt || !device.remembered) throw deviceDoesNotExist();
  const user = await ctx.s.store.getUser(ctx.pool.id, rec.userId);
  if (!user) throw new NotAuthorizedException(INCORRECT, 'user gone');
  const { bHex, BHex } = startSrpSession(device.srpVerifier);
  const secret = randomBytesB64(48);
  const state: DeviceSrpState = {
    kind: 'DEVICE_PASSWORD_VERIFIER',
    dk: key,
    b: bHex,
    B: BHex,
    A: srpA,
    v: device.srpVerifier,
    sb: sha256Hex(secret),
  };
  return {
    ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
    Session: await issueSession(ctx.s, ctx.client, user.id, { ...state }),
    ChallengeParameters: {
      SRP_B: BHex,
      SALT: device.srpSalt.replace(/^0+(?=.)/, ''),
      SECRET_BLOCK: secret,
      USERNAME: srpIdentityOf(user),
      DEVICE_KEY: key,
    },
  };
}

/**
 * RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER {PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK,
 * TIMESTAMP, DEVICE_KEY}: consumes the session first (delete-returning: of concurrent answers exactly one
 * is evaluated, and a wrong one ends the session), then checks the device, the secret block, the timestamp
 * window and the device's SRP proof in constant time; tokens bound to the device (MFA is not asked: the
 * device's proof stands in for it, as in Cognito).
 * @throws InvalidParameterException | NotAuthorizedException | ResourceNotFoundException("Device does not exist.")
 */
export async function respondDevicePasswordVerifier(ctx: FlowContext): Promise<AuthOutput> {
  const { PASSWORD_CLAIM_SECRET_BLOCK: block, PASSWORD_CLAIM_SIGNATURE: signature, TIMESTAMP: timestamp, DEVICE_KEY: key } = ctx.params;
  if (!block || !signature || !timestamp || !key)
    throw new InvalidParameterException(
      'Missing required parameter PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP or DEVICE_KEY',
    );
  const rec = await consumeSession(ctx.s, ctx.client, ctx.session);
  const st = rec.state as Partial<DeviceSrpState>;
  if (st.kind !== 'DEVICE_PASSWORD_VERIFIER' || !rec.userId || !st.dk || !st.b || !st.B || !st.A || !st.v || !st.sb)
    throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another step');
  if (st.dk !== key) throw new NotAuthorizedException(SESSION_EXPIRED, 'session of another device');
  if (!safeEqual(sha256Hex(block), st.sb)) throw new NotAuthorizedException(INCORRECT, 'another secret block');
  const when = parseSrpTimestamp(timestamp);
  if (!when || Math.abs(when.getTime() - ctx.s.clock.now()) > FIXED.srpTimestampWindowMs.default)
    throw new NotAuthorizedException(INCORRECT, 'timestamp outside window');
  const [device, user] = await Promise.all([usersDevice(ctx, rec.userId, key), ctx.s.store.getUser(ctx.pool.id, rec.userId)]);
  if (!device || device.srpVerifier !== st.v || !device.remembered) throw deviceDoesNotExist();
  if (!user) throw new NotAuthorizedException(INCORRECT, 'user gone');
  const ok = verifyDevicePasswordClaim({
    deviceGroupKey: device.groupKey,
    deviceKey: device.deviceKey,
    ...srpProof(st as DeviceSrpState, block, timestamp, signature), // every member checked above
  });
  if (!ok) throw new NotAuthorizedException(INCORRECT, 'bad device SRP signature');
  assertUserCanSignIn(user);
  // An administrator set a temporary password since the password step: it must be replaced first.
  if (user.status === 'FORCE_CHANGE_PASSWORD') throw new NotAuthorizedException(SESSION_EXPIRED, 'temporary password set meanwhile');
  // The remembered device stands in for MFA after the password: the event names the password and the device.
  const event = { factor: 'PASSWORD', device: device.deviceKey, request: ctx.request };
  return signedIn(ctx.s, ctx.pool, ctx.client, user, { deviceKey: device.deviceKey, event });
}
