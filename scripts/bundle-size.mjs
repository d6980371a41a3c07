#!/usr/bin/env node
/**
 * Bundle-size comparison: the passkey management APIs from @latchkey/auth vs aws-amplify/auth.
 *
 * Builds two tiny browser apps in one run with esbuild (bundle, minify, ESM, platform browser), each
 * configuring its library (a real app must) and using associateWebAuthnCredential,
 * listWebAuthnCredentials and deleteWebAuthnCredential; gzips the output with node:zlib and prints a
 * table. docs/bundle-size.md is tracked, so it is rewritten only on request:
 *
 *   node scripts/bundle-size.mjs            prints the table
 *   node scripts/bundle-size.mjs --write    also rewrites docs/bundle-size.md
 */
import { build, version as esbuildVersion } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node scripts/bundle-size.mjs [--write]';
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--write');
if (unknown.length > 0) {
  console.error(`bundle-size: unknown argument ${unknown[0]}\n${USAGE}`);
  process.exit(2);
}
const write = args.includes('--write');
const APIS = ['associateWebAuthnCredential', 'listWebAuthnCredentials', 'deleteWebAuthnCredential'];
const CONFIG =
  "{ Auth: { Cognito: { userPoolId: 'us-east-1_AbCdEf123', userPoolClientId: '1example23456789clientid', " +
  "userPoolEndpoint: 'https://auth.example.com/' } } }";

const apps = [
  {
    name: '@latchkey/auth',
    source: `import { configure, ${APIS.join(', ')} } from '@latchkey/auth';
configure(${CONFIG});
export { ${APIS.join(', ')} };`,
  },
  {
    name: 'aws-amplify/auth',
    source: `import { Amplify } from 'aws-amplify';
import { ${APIS.join(', ')} } from 'aws-amplify/auth';
Amplify.configure(${CONFIG});
export { ${APIS.join(', ')} };`,
  },
];

const versionOf = (pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;

const results = [];
for (const app of apps) {
  const out = await build({
    stdin: { contents: app.source, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
    // Both from source, as the account page builds them, so the numbers never depend on a stale dist.
    alias: { '@latchkey/auth': join(root, 'packages/client/src/index.ts'), '@latchkey/wire': join(root, 'packages/wire/src/index.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].contents;
  results.push({
    name: app.name,
    minified: code.byteLength,
    gzip: gzipSync(code, { level: constants.Z_BEST_COMPRESSION }).byteLength,
    modules: Object.values(Object.values(out.metafile.outputs)[0].inputs).filter((i) => i.bytesInOutput > 0).length,
  });
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const row = (r) =>
  `| \`${r.name}\` | ${r.minified.toLocaleString('en-US')} B (${kb(r.minified)}) | ` +
  `${r.gzip.toLocaleString('en-US')} B (${kb(r.gzip)}) | ${r.modules} |`;
const [ours, amplify] = results;
const ratio = (a, b) => `${((a / b) * 100).toFixed(1)} %`;

const header = ['library', 'minified', 'gzip', 'modules bundled'];
const rows = results.map((r) => [r.name, `${r.minified} B (${kb(r.minified)})`, `${r.gzip} B (${kb(r.gzip)})`, String(r.modules)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log(
  `\n@latchkey/auth is ${ratio(ours.gzip, amplify.gzip)} of aws-amplify/auth gzipped (${ratio(ours.minified, amplify.minified)} minified).`,
);

const md = `# Bundle size

What an app pays to manage passkeys: a browser app that configures the library and uses
\`associateWebAuthnCredential\`, \`listWebAuthnCredentials\` and \`deleteWebAuthnCredential\`.

| library | minified | gzip | modules bundled |
|---|---:|---:|---:|
${results.map(row).join('\n')}

\`@latchkey/auth\` is **${ratio(ours.gzip, amplify.gzip)}** of \`aws-amplify/auth\` gzipped
(${ratio(ours.minified, amplify.minified)} minified).

The two apps (bundled in the same run):

\`\`\`js
// @latchkey/auth (packages/client/src and the @latchkey/wire sources it imports; no third-party dependencies)
${apps[0].source}
\`\`\`

\`\`\`js
// aws-amplify ${versionOf('aws-amplify')} (@aws-amplify/auth ${versionOf('@aws-amplify/auth')}, @aws-amplify/core
// ${versionOf('@aws-amplify/core')})
${apps[1].source}
\`\`\`

Settings: esbuild ${esbuildVersion}, \`bundle\`, \`minify\`, \`format: 'esm'\`, \`platform: 'browser'\`,
\`target: 'es2020'\`, \`process.env.NODE_ENV = "production"\`; gzip = node:zlib level 9. "Modules bundled" counts
the source files that contribute bytes to the output. Both sides include token storage and refresh, because the passkey APIs
need a (possibly refreshed) access token.

Reproduce:

\`\`\`sh
node scripts/bundle-size.mjs --write
\`\`\`
`;
if (write) {
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs/bundle-size.md'), md);
  console.log('wrote docs/bundle-size.md');
} else {
  console.log('(docs/bundle-size.md left as it is; --write updates it)');
}
