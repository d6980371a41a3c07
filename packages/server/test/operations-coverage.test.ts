/**
 * What is implemented is machine-checked against the installed packages (issue 17 item 9, issue 13 item 7):
 * - every operation of @aws-sdk/client-cognito-identity-provider (its command files) is in the registry or in
 *   docs/operations.md's "Not implemented" table with a reason, and nothing registered is listed there;
 * - every user-pool target an export of aws-amplify/auth can reach is in the registry, and docs/operations.md's
 *   aws-amplify/auth table is exactly what the installed package says, with a status that matches the registry.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registry } from '../src/operations/registry.js';
import { amplifyAuthExports, amplifyVersions, sdkOperations } from './helpers/installedApis.js';

/**
 * Operations other branches add (none are pending now), so these checks pass on such a branch and become
 * strict after the merge: the lead removes each entry when merging the branch that registers it (a test below fails
 * while a registered operation is still listed here).
 */
const LANDING_ON_OTHER_BRANCHES = new Set<string>([]);

/** aws-amplify/auth exports Latchkey does not support although the operations they reach exist (the reason is in the docs row). */
const UNSUPPORTED_EXPORTS = new Set(['signInWithRedirect']);

const doc = readFileSync(fileURLToPath(new URL('../../../docs/operations.md', import.meta.url)), 'utf8');

/** The rows of the first table under a `## ` heading, as arrays of trimmed cells. */
function tableRows(heading: string): string[][] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, `docs/operations.md has a "## ${heading}" section`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 4);
  const lines = doc.slice(start, end === -1 ? undefined : end).split('\n');
  const rows = lines
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  return rows.slice(2); // header and separator
}

const registered = (op: string) => Object.hasOwn(registry, op);

describe('operations of the installed AWS SDK', () => {
  const sdk = sdkOperations();
  const notImplemented = new Map<string, string>();
  for (const [ops, why] of tableRows('Not implemented')) {
    for (const op of ops!.split(',').map((o) => o.trim().replace(/`/g, ''))) notImplemented.set(op, why!);
  }

  it('the SDK has its operations (the command files were found)', () => {
    expect(sdk.length).toBeGreaterThan(100);
    expect(sdk).toContain('InitiateAuth');
  });

  it('each is in the registry, in the "Not implemented" table (with a reason), or landing on another branch', () => {
    const missing = sdk.filter((op) => !registered(op) && !notImplemented.has(op) && !LANDING_ON_OTHER_BRANCHES.has(op));
    expect(missing, 'neither registered nor listed in docs/operations.md "Not implemented"').toEqual([]);
    for (const [op, why] of notImplemented) expect(why.length, `a reason for ${op}`).toBeGreaterThan(10);
  });

  it('the "Not implemented" table names only SDK operations that are not registered', () => {
    const known = new Set(sdk);
    expect(
      [...notImplemented.keys()].filter((op) => !known.has(op)),
      'not an operation of the SDK',
    ).toEqual([]);
    expect([...notImplemented.keys()].filter(registered), 'registered, yet listed as not implemented').toEqual([]);
  });

  it('LANDING_ON_OTHER_BRANCHES holds only SDK operations not yet registered (remove an entry when its branch merges)', () => {
    const known = new Set(sdk);
    expect([...LANDING_ON_OTHER_BRANCHES].filter((op) => !known.has(op))).toEqual([]);
    expect([...LANDING_ON_OTHER_BRANCHES].filter(registered)).toEqual([]);
    expect([...LANDING_ON_OTHER_BRANCHES].filter((op) => notImplemented.has(op))).toEqual([]);
  });

  it('every registered Cognito operation is an SDK operation (no misspelt target)', () => {
    const known = new Set(sdk);
    expect(Object.keys(registry).filter((op) => !op.startsWith('Latchkey') && !known.has(op))).toEqual([]);
  });
});

describe('aws-amplify/auth against the registry', () => {
  const exports = amplifyAuthExports();

  it('the installed aws-amplify/auth was read (exports and their service clients found)', () => {
    expect(exports.size).toBeGreaterThan(25);
    expect(exports.get('signIn')).toEqual(expect.arrayContaining(['InitiateAuth', 'RespondToAuthChallenge']));
    expect(exports.get('fetchUserAttributes')).toEqual(['GetUser']);
  });

  it('no export reaches a user-pool target the registry lacks (other than those landing on other branches)', () => {
    const lacking = [...exports].flatMap(([name, ops]) =>
      ops.filter((op) => !registered(op) && !LANDING_ON_OTHER_BRANCHES.has(op)).map((op) => `${name} → ${op}`),
    );
    expect(lacking).toEqual([]);
  });

  it("docs/operations.md's aws-amplify/auth table is the installed package's, with statuses that match the registry", () => {
    const { amplify, auth } = amplifyVersions();
    const section = doc.slice(doc.indexOf('\n## aws-amplify/auth\n'));
    expect(section).toContain(`aws-amplify ${amplify}`);
    expect(section).toContain(`@aws-amplify/auth\` ${auth}`);
    const rows = tableRows('aws-amplify/auth');
    expect(rows.map(([name]) => name!.replace(/`/g, ''))).toEqual([...exports.keys()]);
    for (const [cell, opsCell, status] of rows) {
      const name = cell!.replace(/`/g, '');
      const ops = exports.get(name)!;
      expect(opsCell === '—' ? [] : opsCell!.split(',').map((o) => o.trim()), `operations of ${name}`).toEqual(ops);
      const expected = UNSUPPORTED_EXPORTS.has(name) ? '✗' : ops.every(registered) ? '✓' : '⧗';
      expect(status!.slice(0, 1), `status of ${name}: ${status}`).toBe(expected);
    }
  });
});
