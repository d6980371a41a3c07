import { ConfigError, SERVER_OPTIONS, deepFreeze, type Config, type ServerOption } from './defaults.js';

export { ConfigError };

export type Flags = Record<string, string | boolean | undefined>;

/**
 * Where an option's value comes from: its flag (a string, or a boolean for switches) wins over its
 * environment variable; an empty flag value or variable counts as absent.
 */
function given(spec: ServerOption<unknown>, flags: Flags, env: NodeJS.ProcessEnv): { raw: string | boolean; from: string } | undefined {
  const f = spec.flag ? flags[spec.flag.name] : undefined;
  if (spec.flag && ((typeof f === 'string' && f !== '') || (typeof f === 'boolean' && !spec.flag.value))) {
    return { raw: f, from: `--${spec.flag.name}` };
  }
  const e = spec.env ? env[spec.env] : undefined;
  return e === undefined || e === '' ? undefined : { raw: e, from: spec.env! };
}

/**
 * Builds the deep-frozen configuration from flags and environment (flags win), option by option from
 * SERVER_OPTIONS. This is the only reader of process.env.
 * @throws ConfigError when an option is malformed, the admin key pair is half given, or the SMS webhook has no secret.
 */
export function loadConfig(flags: Flags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SERVER_OPTIONS) as [string, ServerOption<unknown>][]) {
    const src = spec.parse ? given(spec, flags, env) : undefined;
    const value = src ? spec.parse!(src.raw, src.from) : spec.default;
    out[key] = spec.normalize && value !== undefined ? spec.normalize(value) : value;
    // A derived default is checked where it is derived: the public URL follows the port.
    if (key === 'publicUrl') {
      out.publicUrlExplicit = value !== undefined;
      out.publicUrl ??= `http://localhost:${String(out.port)}`;
    }
    if (key === 'smsWebhookSecret' && out.smsWebhookUrl !== undefined && out.smsWebhookSecret === undefined) {
      throw new ConfigError(
        'LATCHKEY_SMS_WEBHOOK_URL needs LATCHKEY_SMS_WEBHOOK_SECRET: set it to ≥ 32 random characters shared with the receiver',
      );
    }
    if (key === 'adminSecretAccessKey' && (out.adminAccessKeyId === undefined) !== (out.adminSecretAccessKey === undefined)) {
      throw new ConfigError('set both LATCHKEY_ADMIN_ACCESS_KEY_ID and LATCHKEY_ADMIN_SECRET_ACCESS_KEY, or neither');
    }
  }
  // A fresh copy, so freezing never touches the table's own default arrays.
  out.corsOrigins = [...(out.corsOrigins as readonly string[])];
  return deepFreeze(out) as Config;
}
