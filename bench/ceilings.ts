/**
 * Crypto ceilings: the server-side cryptography of exactly one ceremony, done by the server's own
 * functions (packages/server/dist/security/, the code the server runs), in a loop, in this
 * separate process, one operation at a time. Reported as operations per CPU-second (user + system of
 * the whole process, so work WebCrypto hands to libuv threads is counted too) = ops/s on one core.
 *
 * Prints one JSON object on stdout. Usage: node --import tsx bench/ceilings.ts [--seconds 2]
 */
import { VirtualAuthenticator } from '@latchkey/virtual-authenticator';
import {
  peekRegistration,
  randomChallenge,
  verifyAuthentication,
  verifyRegistration,
} from '../packages/server/dist/security/webauthn/index.js';
import { TokenService, type TokenAlg } from '../packages/server/dist/security/tokens.js';
import { SecretBox, randomBytesB64, randomId, randomToken, sha256Hex } from '../packages/server/dist/security/secrets.js';
import { checkPassword, createVerifier, isValidSrpA, startSrpSession, verifyPasswordClaim } from '../packages/server/dist/security/srp.js';
import type { SigningKeyRecord } from '../packages/server/dist/storage/store.js';
import { DEFAULTS, LATCHKEY_SETTINGS } from '../packages/server/dist/config/defaults.js';
import { computePasswordClaim, createSrpClientSession } from '../packages/client/dist/internal/srp.js';
import { parseSrpTimestamp } from '@latchkey/wire';
import { makeEphemeral, passwordClaim, userKey } from './lib/srpClient.js';

const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 2;
const ORIGIN = 'http://localhost:3000';
const POOL = 'local_BenchPool';
const POOL_NAME = 'BenchPool';
const CLIENT = 'benchclient0000000000000000';

export interface Measured {
  /** Operations per CPU-second (= ops/s on one core). */
  opsPerCoreSec: number;
  cpuMsPerOp: number;
  /** Operations per wall-clock second, one at a time. */
  opsPerWallSec: number;
  n: number;
}

/** Just what TokenService needs from the store: keys in memory. */
class MemoryKeys {
  keys: SigningKeyRecord[] = [];
  async listSigningKeys(poolId: string) {
    return this.keys.filter((k) => k.poolId === poolId);
  }
  async getSigningKey(kid: string) {
    return this.keys.find((k) => k.kid === kid);
  }
  async rotateSigningKey(key: SigningKeyRecord, retireAt: number, retiredExpireAt: number) {
    for (const k of this.keys) {
      if (k.poolId === key.poolId && k.retiredAt === null) {
        k.retiredAt = retireAt;
        k.expiresAt = retiredExpireAt;
      }
    }
    this.keys.unshift(key);
  }
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Runs `op` sequentially (awaited) for ~SECONDS after a short warm-up. */
async function measure(op: (i: number) => unknown, seconds = SECONDS): Promise<Measured> {
  for (let i = 0; i < 20; i++) await op(i);
  const c0 = cpuNow();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) await op(n++);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuNow() - c0;
  return { opsPerCoreSec: n / (cpu / 1000), cpuMsPerOp: cpu / n, opsPerWallSec: n / wall, n };
}

/** Like measure(), for an operation split in timed phases with untimed client work between them. */
async function measurePhases<S>(
  phase1: () => Promise<S> | S,
  between: (s: S) => Promise<unknown> | unknown,
  phase2: (s: S, x: unknown) => Promise<unknown> | unknown,
): Promise<Measured> {
  let cpu = 0;
  let wall = 0;
  let n = 0;
  const batch = 25;
  let warm = true;
  while (warm || wall < SECONDS * 1000) {
    const c0 = cpuNow();
    const t0 = performance.now();
    const states: S[] = [];
    for (let i = 0; i < batch; i++) states.push(await phase1());
    const c1 = cpuNow();
    const t1 = performance.now();
    const xs: unknown[] = [];
    for (const s of states) xs.push(await between(s));
    const c2 = cpuNow();
    const t2 = performance.now();
    for (let i = 0; i < batch; i++) await phase2(states[i]!, xs[i]);
    const c3 = cpuNow();
    const t3 = performance.now();
    if (!warm) {
      cpu += c1 - c0 + (c3 - c2);
      wall += t1 - t0 + (t3 - t2);
      n += batch;
    }
    warm = false;
  }
  return { opsPerCoreSec: n / (cpu / 1000), cpuMsPerOp: cpu / n, opsPerWallSec: n / (wall / 1000), n };
}

async function main() {
  const keys = new MemoryKeys();
  const box = new SecretBox('bench-secret-bench-secret-bench-secret-0123');
  const tokens = new TokenService(
    keys as never,
    box,
    () => `http://localhost:${DEFAULTS.port}`,
    () => Date.now(),
    DEFAULTS.cacheMs,
  );
  const userId = '0b8f0c3e-7f5a-4a43-9d1e-1c2b3a4d5e6f';
  const issue = (alg: TokenAlg) =>
    tokens.issue({
      poolId: POOL,
      clientId: CLIENT,
      sub: userId,
      username: 'signin-0',
      idClaims: { email: 'signin-0@example.com', email_verified: true },
      originJti: randomId(),
      authTime: Math.floor(Date.now() / 1000),
      accessValiditySec: 3600,
      idValiditySec: 3600,
      alg,
    });
  /** The crypto of signedIn(): token family id, refresh token (stored hashed), access + id token. */
  const signedIn = async (alg: TokenAlg) => {
    randomId();
    sha256Hex(randomToken(64));
    return issue(alg);
  };
  /** issueSession() + consumeSession(): a random session token, hashed when stored and when presented. */
  const sessionHashing = () => {
    const t = randomToken(48);
    sha256Hex(t);
    sha256Hex(t);
  };
  // Warm both algorithms' keys (first use generates the key, as the server does once per pool).
  const { accessToken } = await issue('RS256');
  await issue('ES256');
  await issue('RS256');

  // WebAuthn inputs: made by the virtual authenticator before anything is timed.
  const userHandle = Buffer.from(userId, 'utf8').toString('base64url');
  const creationOptions = (challenge: string) => ({
    rp: { id: 'localhost', name: 'localhost' },
    user: { id: userHandle, name: 'signin-0', displayName: 'signin-0@example.com' },
    challenge,
    pubKeyCredParams: [
      { type: 'public-key' as const, alg: -7 },
      { type: 'public-key' as const, alg: -8 },
      { type: 'public-key' as const, alg: -257 },
    ],
    timeout: LATCHKEY_SETTINGS.registrationTimeoutMs.default,
    excludeCredentials: [],
    authenticatorSelection: { residentKey: 'required' as const, requireResidentKey: true, userVerification: 'preferred' as const },
    attestation: 'none' as const,
    extensions: { credProps: true },
  });
  const regAuth = new VirtualAuthenticator({ algorithms: ['ES256'], origin: ORIGIN });
  const registrations: { challenge: string; credential: unknown }[] = [];
  for (let i = 0; i < 64; i++) {
    const challenge = randomChallenge(16);
    registrations.push({ challenge, credential: await regAuth.createCredential(creationOptions(challenge)) });
  }
  const signAuth = new VirtualAuthenticator({ algorithms: ['ES256'], origin: ORIGIN });
  const c0 = randomChallenge(16);
  const stored = await verifyRegistration({
    credential: await signAuth.createCredential(creationOptions(c0)),
    expectedChallenge: c0,
    expectedOrigins: [],
    rpId: 'localhost',
    userVerification: 'preferred',
    attestation: 'none',
  });
  const assertions: { challenge: string; credential: string }[] = [];
  for (let i = 0; i < 64; i++) {
    const challenge = randomChallenge(16);
    const a = await signAuth.getAssertion({
      challenge,
      rpId: 'localhost',
      allowCredentials: [{ type: 'public-key', id: stored.credentialId }],
      userVerification: 'preferred',
      timeout: LATCHKEY_SETTINGS.registrationTimeoutMs.default,
    });
    assertions.push({ challenge, credential: JSON.stringify(a) });
  }
  const verifyAssertion = (i: number) => {
    const a = assertions[i % assertions.length]!;
    return verifyAuthentication({
      credential: JSON.parse(a.credential),
      expectedChallenge: a.challenge,
      expectedOrigins: [],
      rpId: 'localhost',
      userVerification: 'preferred',
      storedCredential: {
        credentialId: stored.credentialId,
        publicKey: stored.publicKey,
        signCount: 0,
        transports: ['internal', 'hybrid'],
      },
      allowCounterRegression: false,
    });
  };
  const verifyReg = (i: number) => {
    const r = registrations[i % registrations.length]!;
    peekRegistration(r.credential);
    return verifyRegistration({
      credential: r.credential,
      expectedChallenge: r.challenge,
      expectedOrigins: [],
      rpId: 'localhost',
      userVerification: 'preferred',
      attestation: 'none',
    });
  };

  // SRP inputs.
  const { saltHex, verifierHex } = createVerifier(POOL_NAME, userId, 'Bench-Passw0rd!');
  const key = userKey(POOL_NAME, userId, 'Bench-Passw0rd!', saltHex);
  const ephemerals = Array.from({ length: 16 }, () => makeEphemeral());
  let e = 0;

  const ceremonies: Record<string, Measured> = {};
  const components: Record<string, Measured> = {};
  const client: Record<string, Measured> = {};

  // (a) passkey sign-in: InitiateAuth (challenge, session) + RespondToAuthChallenge (session, assertion, tokens).
  for (const alg of ['RS256', 'ES256'] as const) {
    ceremonies[alg === 'RS256' ? 'signin' : 'signin-es256'] = await measure(async (i) => {
      randomChallenge(16);
      sessionHashing();
      await verifyAssertion(i);
      await signedIn(alg);
    });
  }
  // (b) registration: Start (access token, challenge) + Complete (access token, full verification).
  ceremonies.register = await measure(async (i) => {
    await tokens.verifyAccessSignature(accessToken);
    randomChallenge(16);
    await tokens.verifyAccessSignature(accessToken);
    await verifyReg(i);
  });
  // (c) ListWebAuthnCredentials: only the access-token check (informational; its reference is bare Fastify).
  ceremonies.list = await measure(() => tokens.verifyAccessSignature(accessToken));
  // (d) SRP: InitiateAuth (B) | client claim, untimed | RespondToAuthChallenge (verify, tokens).
  ceremonies.srp = await measurePhases(
    () => {
      const eph = ephemerals[e++ % ephemerals.length]!;
      isValidSrpA(eph.srpA);
      const b = startSrpSession(verifierHex);
      const secret = randomBytesB64(48);
      sha256Hex(secret);
      return { eph, b, secret };
    },
    (s) => passwordClaim(POOL_NAME, key, s.eph, s.b.BHex, s.secret),
    async (s, x) => {
      const claim = x as ReturnType<typeof passwordClaim>;
      sha256Hex(s.secret);
      parseSrpTimestamp(claim.TIMESTAMP);
      const ok = verifyPasswordClaim({
        poolName: POOL_NAME,
        userIdForSrp: userId,
        verifierHex,
        bHex: s.b.bHex,
        BHex: s.b.BHex,
        srpAHex: s.eph.srpA,
        secretBlockB64: s.secret,
        timestamp: claim.TIMESTAMP,
        signatureB64: claim.PASSWORD_CLAIM_SIGNATURE,
      });
      if (!ok) throw new Error('SRP claim did not verify: the bench client is wrong');
      await signedIn('RS256');
    },
  );
  // (e) USER_PASSWORD_AUTH: recompute the verifier, tokens.
  ceremonies.password = await measure(async () => {
    if (!checkPassword(POOL_NAME, userId, 'Bench-Passw0rd!', saltHex, verifierHex)) throw new Error('checkPassword failed');
    await signedIn('RS256');
  });

  const short = Math.max(0.5, SECONDS / 2);
  components['tokens.issue RS256 (2 signatures)'] = await measure(() => issue('RS256'), short);
  components['tokens.issue ES256 (2 signatures)'] = await measure(() => issue('ES256'), short);
  components['verifyAuthentication (ES256 assertion)'] = await measure(verifyAssertion, short);
  components['verifyRegistration (none, ES256)'] = await measure(verifyReg, short);
  components['tokens.verifyAccessSignature (RS256)'] = await measure(() => tokens.verifyAccessSignature(accessToken), short);
  components['startSrpSession'] = await measure(() => startSrpSession(verifierHex), short);
  components['checkPassword'] = await measure(() => checkPassword(POOL_NAME, userId, 'Bench-Passw0rd!', saltHex, verifierHex), short);

  // Client-side costs, for the report (the generator measures its own CPU too).
  const req = {
    challenge: randomChallenge(16),
    rpId: 'localhost',
    allowCredentials: [{ type: 'public-key' as const, id: stored.credentialId }],
    userVerification: 'preferred' as const,
    timeout: LATCHKEY_SETTINGS.registrationTimeoutMs.default,
  };
  client['authenticator getAssertion (ES256)'] = await measure(() => signAuth.getAssertion(req), short);
  client['authenticator createCredential (ES256, none)'] = await measure(
    () => new VirtualAuthenticator({ algorithms: ['ES256'], origin: ORIGIN }).createCredential(creationOptions(randomChallenge(16))),
    short,
  );
  const B = startSrpSession(verifierHex).BHex;
  const secret = randomBytesB64(48);
  client['SRP claim, bench client (OpenSSL modexp)'] = await measure(() => passwordClaim(POOL_NAME, key, ephemerals[0]!, B, secret), short);
  {
    // The real browser-style client (pure BigInt): a few iterations are enough to show its cost.
    const t0 = performance.now();
    const c0 = cpuNow();
    let n = 0;
    while (n < 3 || performance.now() - t0 < 1000) {
      const session = createSrpClientSession();
      await computePasswordClaim({
        session,
        poolName: POOL_NAME,
        userIdForSrp: userId,
        password: 'Bench-Passw0rd!',
        srpB: B,
        salt: saltHex,
        secretBlock: secret,
      });
      n++;
      if (n >= 10) break;
    }
    const cpu = cpuNow() - c0;
    client['SRP ephemeral + claim, @latchkey/auth (pure BigInt, as in a browser)'] = {
      opsPerCoreSec: n / (cpu / 1000),
      cpuMsPerOp: cpu / n,
      opsPerWallSec: n / ((performance.now() - t0) / 1000),
      n,
    };
  }

  process.stdout.write(JSON.stringify({ seconds: SECONDS, ceremonies, components, client }) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
