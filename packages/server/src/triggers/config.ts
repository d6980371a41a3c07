import { InvalidParameterException } from '../protocol/errors.js';
import { TRIGGER_MEMBERS, type LambdaConfigRecord } from '../storage/configs.js';

export { TRIGGER_MEMBERS };
export type TriggerName = (typeof TRIGGER_MEMBERS)[number];

/** Members Latchkey cannot honour: refused rather than stored, so a pool never silently skips a sender it was given. */
const UNSUPPORTED = ['CustomSMSSender', 'CustomEmailSender'] as const;

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Checks one trigger target: `https://…`, `http://` on a loopback host, or (with --trigger-modules) `file:///abs/path.mjs`.
 * A Lambda ARN is refused: Latchkey cannot call Lambda, and a pool that stored one would fail every flow the trigger guards.
 * @throws InvalidParameterException naming the member and what would be accepted.
 */
function assertTarget(member: string, value: unknown, allowModules: boolean): void {
  const bad = (why: string) => new InvalidParameterException(`LambdaConfig.${member}: ${why}`);
  if (typeof value !== 'string' || value.length < 1 || value.length > 2048) throw bad('must be a URL of 1 to 2048 characters');
  if (value.startsWith('arn:'))
    throw bad('Latchkey cannot invoke a Lambda ARN; give an https:// URL that runs the handler (docs/triggers/README.md)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('is not a URL');
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:') {
    if (LOOPBACK.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname)) return;
    throw bad('http:// is accepted only on a loopback host (127.0.0.1, [::1], localhost); use https://');
  }
  if (url.protocol === 'file:') {
    if (allowModules) return;
    throw bad('file:// modules run only when the server is started with --trigger-modules (LATCHKEY_TRIGGER_MODULES=1)');
  }
  throw bad('must be an https:// URL');
}

/**
 * Validates CreateUserPool / UpdateUserPool's LambdaConfig before it is stored.
 * @throws InvalidParameterException for an unusable target, an unsupported member, a PreTokenGenerationConfig without
 *   LambdaArn or with an unknown LambdaVersion, or a PreTokenGeneration that differs from PreTokenGenerationConfig.LambdaArn.
 */
export function assertLambdaConfig(doc: Record<string, unknown> | undefined, allowModules: boolean): void {
  if (!doc) return;
  for (const member of UNSUPPORTED)
    if (doc[member] !== undefined) throw new InvalidParameterException(`LambdaConfig.${member} is not supported by Latchkey.`);
  for (const member of TRIGGER_MEMBERS) if (doc[member] !== undefined) assertTarget(member, doc[member], allowModules);
  const ptg = doc.PreTokenGenerationConfig;
  if (ptg !== undefined) {
    if (typeof ptg !== 'object' || ptg === null)
      throw new InvalidParameterException('LambdaConfig.PreTokenGenerationConfig must be an object');
    const { LambdaArn, LambdaVersion } = ptg as Record<string, unknown>;
    assertTarget('PreTokenGenerationConfig.LambdaArn', LambdaArn, allowModules);
    if (LambdaVersion !== 'V1_0' && LambdaVersion !== 'V2_0')
      throw new InvalidParameterException(
        'LambdaConfig.PreTokenGenerationConfig.LambdaVersion must be V1_0 or V2_0 (V3_0 is not supported)',
      );
    if (doc.PreTokenGeneration !== undefined && doc.PreTokenGeneration !== LambdaArn)
      throw new InvalidParameterException('PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same.');
  }
  if (doc.KMSKeyID !== undefined && typeof doc.KMSKeyID !== 'string')
    throw new InvalidParameterException('LambdaConfig.KMSKeyID must be a string');
}

/** The pool's pre token generation target and event version (the legacy PreTokenGeneration member is V1_0). */
export function preTokenTarget(lc: LambdaConfigRecord): { url: string; version: 'V1_0' | 'V2_0' } | undefined {
  const c = lc.PreTokenGenerationConfig;
  if (c?.LambdaArn) return { url: c.LambdaArn, version: c.LambdaVersion === 'V2_0' ? 'V2_0' : 'V1_0' };
  return lc.PreTokenGeneration ? { url: lc.PreTokenGeneration, version: 'V1_0' } : undefined;
}
