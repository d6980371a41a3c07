import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registry } from '../src/operations/registry.js';

const SIGV4_ONLY = new RegExp(
  '^(Admin|Create|Describe|Update|Delete(UserPool|UserPoolClient|Group)$|' +
    'List(UserPools|UserPoolClients|Users|Groups|UsersInGroup)$|GetGroup$|' +
    'SetUserPoolMfaConfig|GetUserPoolMfaConfig|AddCustomAttributes$|ListTagsForResource$|TagResource$|UntagResource$|' +
    'GetLogDeliveryConfiguration$|Latchkey)',
);

describe('operation registry', () => {
  it('maps every target name to a handler with a schema', () => {
    const names = Object.keys(registry);
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      const op = registry[name]!;
      expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(typeof op.handle).toBe('function');
      expect(typeof op.input).toBe('object');
      expect(['sigv4', 'none']).toContain(op.auth);
    }
  });

  it('requires SigV4 exactly for admin operations', () => {
    for (const [name, op] of Object.entries(registry)) {
      const admin =
        SIGV4_ONLY.test(name) &&
        name !== 'DeleteUser' &&
        name !== 'DeleteWebAuthnCredential' &&
        name !== 'UpdateUserAttributes' &&
        name !== 'UpdateDeviceStatus' &&
        // A user's own operation (access token), as DeleteWebAuthnCredential.
        name !== 'LatchkeyUpdateWebAuthnCredential';
      expect({ name, auth: op.auth }).toEqual({ name, auth: admin ? 'sigv4' : 'none' });
    }
  });

  it('has one operation file per registered Cognito operation', () => {
    const dir = fileURLToPath(new URL('../src/operations/', import.meta.url));
    const files = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.replace(/\.ts$/, '')),
    );
    for (const name of Object.keys(registry).filter((n) => !n.startsWith('Latchkey'))) {
      expect(files.has(name[0]!.toLowerCase() + name.slice(1)), `operations/${name}.ts`).toBe(true);
    }
  });

  it('does not resolve inherited names such as constructor or __proto__', () => {
    expect(Object.hasOwn(registry, 'constructor')).toBe(false);
    expect(Object.hasOwn(registry, '__proto__')).toBe(false);
  });
});
