// docs/configuration.md is generated from the defaults table (packages/server/src/config/defaults.ts):
// `npm run docs:config` rewrites it, and packages/server/test/config-doc.test.ts fails when the committed
// file differs from what this prints. The prose below is the part the table cannot say.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CLIENT_OPTIONS,
  COMMAND_OPTIONS,
  FIXED,
  LATCHKEY_SETTINGS,
  POOL_OPTIONS,
  SERVER_OPTIONS,
  TOKEN_VALIDITY_BOUNDS,
  type ServerOption,
} from '../packages/server/src/config/defaults.js';
import { COMMANDS, defaultText } from '../packages/server/src/config/flags.js';

export const DOC_PATH = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

const README_START = /<!-- options:start[^>]*-->\n/;
const README_END = '<!-- options:end -->';

// Pipes would end the cell; outside code spans, <placeholders> would be read as HTML tags.
const cell = (s: string) =>
  s
    .split('`')
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('`')
    .replace(/\|/g, '\\|');
const code = (s: string) => `\`${s}\``;
const json = (v: unknown) => code(JSON.stringify(v));

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function serverRows(): string[][] {
  return (Object.entries(SERVER_OPTIONS) as [string, ServerOption<unknown>][]).map(([key, o]) => {
    const flag = o.flag
      ? [o.flag.negation, o.flag.name]
          .filter(Boolean)
          .map((f) => code(`--${f}`))
          .join(' / ')
      : '';
    const d = defaultText(o);
    const dflt = d === undefined ? '—' : o.defaultText !== undefined && o.defaultText.includes(' ') ? cell(d) : code(d);
    const meaning = [o.why, o.details].filter(Boolean).join('; ');
    return [code(key), flag, o.env ? code(o.env) : '', dflt, cell(o.type), cell(meaning)];
  });
}

function defaultsRows(entries: Record<string, { default: unknown; type: string; why: string }>): string[][] {
  return Object.entries(entries).map(([k, o]) => [
    code(k),
    typeof o.default === 'object' ? json(o.default) : code(String(o.default)),
    cell(o.type),
    cell(o.why),
  ]);
}

const commandLines = () => {
  const own = COMMAND_OPTIONS as Record<string, Record<string, { value: string }>>;
  return Object.entries(COMMANDS)
    .map(([name, c]) => {
      const extra = Object.entries(own[name] ?? {})
        .map(([flag, o]) => `--${flag} <${o.value}>`)
        .join(', ');
      return `${`latchkey ${name} [flags]`.padEnd(36)}${c.summary}${extra ? ` (${extra})` : ''}`;
    })
    .join('\n');
};

const bounds = Object.entries(TOKEN_VALIDITY_BOUNDS)
  .map(([k, [min, max]]) => `${k} ${min}..${max} s`)
  .join(', ');

/** The whole of docs/configuration.md. */
export function renderConfigurationDoc(): string {
  return `# Configuration

<!-- Generated from packages/server/src/config/defaults.ts by \`npm run docs:config\`: edit the table there, not this file. -->

\`packages/server/src/config/defaults.ts\` is the one table of every option, app-client default and pool setting,
with its default, type, source and why; \`config/load.ts\` is the only reader of the environment, \`latchkey --help\`
and this page are generated from the table. Flags win over environment variables.

## Server options

${table(['key', 'flag', 'env', 'default', 'type', 'meaning'], serverRows())}

Codes go to the log and the development outbox (\`latchkey outbox\`) unless a delivery is configured: email
with \`LATCHKEY_SMTP_URL\`, SMS (phone numbers) with \`LATCHKEY_SMS_WEBHOOK_URL\`, a signed POST to a receiver
that forwards to your SMS provider — the body, the signature scheme and an example receiver are in
[sms-webhook.md](sms-webhook.md). Outside the outbox, codes are never logged.

Start-up prints a warning when development defaults (generated secret, generated admin keys) are in use,
and when the public URL differs from the one the database was first served with (tokens name their issuer,
\`<public-url>/<poolId>\`, so instances with different public URLs refuse each other's tokens).

## Start-up failures

An operator mistake stops start-up with **one line** on stderr, \`latchkey: …\`, naming what to change, and
**exit code 2** (no stack trace): an unknown flag or a flag without its value, a malformed option or
environment value, a port in use (also with \`--workers N\`) or not allowed, a \`--host\` that does not resolve
or is not an address of the machine, an SMS webhook URL that is not https:// (http:// only on loopback) or
has no secret of at least 32 characters, PostgreSQL unreachable, a missing database or a refused login, a
\`--data\` that is a file, cannot be created or is not writable, a full disk, and a server secret that does
not match the database (\`LATCHKEY_SECRET … set LATCHKEY_SECRET to the value the other instances use\`).
The store must accept a write at start-up. Anything else (a bug) exits 1 with its stack trace.

## Commands

\`\`\`
${commandLines()}
\`\`\`

\`latchkey --help\` lists every command, flag and environment variable; \`latchkey <command> --help\` prints
that command's flags and does nothing else. Flags are checked strictly: an unknown flag (\`serve --prot 9241\`),
a flag another command takes, a missing value (\`--port\` at the end or followed by another flag), a
repeated flag or a stray argument is a usage error (exit 2). \`migrate\`, \`admin-credentials\` and \`outbox\`
take the storage flags (\`--data\`, \`--database-url\`, \`--database-schema\`). \`admin-credentials\` and \`outbox\`
work on existing data only: where there is no Latchkey data (no \`latchkey.db\` in the data directory, no
Latchkey tables in the PostgreSQL schema) they refuse with \`no Latchkey data at <dir> (use --data or
--database-url)\` instead of creating an empty store. On existing data they start the store as a server would
(migrations, the secret check, one health write); \`admin-credentials\` prints the stored admin key pair,
creating one if the database has none yet — a server whose admin keys come from \`LATCHKEY_ADMIN_*\` uses
those instead.

## App-client defaults

What \`CreateUserPoolClient\` gives a client for a member left out, and what \`UpdateUserPoolClient\` returns a
member to when an update leaves it out (Cognito's update semantics). Token lifetimes must lie within Cognito's
bounds (${bounds}; else \`InvalidParameterException\` "Invalid range for token validity."); a client stored
before the bounds were checked has its lifetimes clamped to them.

${table(['member', 'default', 'type', 'why'], defaultsRows(CLIENT_OPTIONS))}

## Pool settings

Cognito's own pool settings are set with Cognito's operations (\`CreateUserPool\`, \`UpdateUserPool\`,
\`SetUserPoolMfaConfig\`). Passkeys are enabled for a pool when \`WEB_AUTHN\` is in
\`Policies.SignInPolicy.AllowedFirstAuthFactors\` (else \`WebAuthnNotEnabledException\`) and
\`WebAuthnConfiguration.RelyingPartyId\` is set (else \`WebAuthnConfigurationMissingException\`).
\`WebAuthnConfiguration.UserVerification\` (\`required\` | \`preferred\`) is sent to browsers and enforced.
A pool has these when its config leaves them out:

${table(['setting', 'default', 'where', 'why'], defaultsRows(POOL_OPTIONS))}

Settings Cognito does not have are set with the SigV4 admin operation \`LatchkeyUpdateUserPoolSettings\`
(\`{"UserPoolId": "…", "Settings": {…}}\`) and read with \`LatchkeyDescribeUserPoolSettings\`:

${table(['setting', 'default', 'type', 'meaning'], defaultsRows(LATCHKEY_SETTINGS))}

Per app client, \`LatchkeyUpdateUserPoolClientSettings {UserPoolId, ClientId, AllowedOrigins}\` adds WebAuthn
origins beyond the relying party's own (\`https://<rpId or a subdomain>[:port]\`, and \`http://localhost[:port]\`
when the RP ID is \`localhost\`) — for example \`android:apk-key-hash:…\` for an Android app or a second web origin.

## Fixed limits

Not configurable; listed so that each number has one home and one reason.

${table(['limit', 'value', 'unit', 'why'], defaultsRows(FIXED))}
`;
}

/** The README's short options table (flags and variables of `latchkey serve`). */
export function renderReadmeOptions(): string {
  const rows = (Object.values(SERVER_OPTIONS) as ServerOption<unknown>[])
    .filter((o) => o.commands.includes('serve') && (o.flag || o.env))
    .map((o) => {
      const flag = o.flag
        ? [o.flag.negation, o.flag.name]
            .filter(Boolean)
            .map((f) => code(`--${f}`))
            .join(' / ')
        : '';
      const d = defaultText(o);
      return [flag, code(o.env!), d === undefined ? '—' : d.includes(' ') ? cell(d) : code(d), cell(o.why)];
    });
  return table(['flag', 'env', 'default', 'meaning'], rows);
}

/** README.md with its options table (between the options markers) regenerated. */
export function renderReadme(readme: string): string {
  const start = README_START.exec(readme);
  const end = readme.indexOf(README_END);
  if (!start || end < start.index) throw new Error('README.md has lost its <!-- options:start --> / <!-- options:end --> markers');
  return readme.slice(0, start.index + start[0].length) + renderReadmeOptions() + '\n' + readme.slice(end);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = renderConfigurationDoc();
  const readme = renderReadme(readFileSync(README_PATH, 'utf8'));
  if (process.argv.includes('--write')) {
    writeFileSync(DOC_PATH, doc);
    writeFileSync(README_PATH, readme);
  } else if (readFileSync(DOC_PATH, 'utf8') !== doc || readFileSync(README_PATH, 'utf8') !== readme) {
    console.error('docs/configuration.md or README.md differs from the defaults table: run npm run docs:config');
    process.exit(1);
  } else console.log('docs/configuration.md and README.md match the defaults table');
}
