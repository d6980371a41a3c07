/**
 * Issue 11 item 2: operations are typed and narrow. The runtime checks read the sources; the rest of
 * this file is type-checked by `npm run lint` (`tsc -b … packages/server/test`), where every
 * `@ts-expect-error` below must meet the error it names or the build fails.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { GetUserResponse, ListWebAuthnCredentialsResponse } from '@aws-sdk/client-cognito-identity-provider';
import { operations, registry, type Operations } from '../src/operations/registry.js';
import { operation, type Wire } from '../src/operations/types.js';
import { adminUserOperation } from '../src/operations/shared.js';
import { common, v, type Infer } from '../src/protocol/validate.js';
import type { InitiateAuth } from '../src/operations/initiateAuth.js';
import type { Services } from '../src/services.js';

const src = (p: string) => fileURLToPath(new URL(`../src/${p}`, import.meta.url));
const parse = (p: string) => ts.createSourceFile(p, readFileSync(src(p), 'utf8'), ts.ScriptTarget.Latest, true);

function nodes(root: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (n: ts.Node) => {
    out.push(n);
    n.forEachChild(visit);
  };
  visit(root);
  return out;
}

/** The services parameter of the handler an `export const <name> = operation(…) | adminUserOperation(…)` declares. */
function servicesParameter(file: ts.SourceFile, name: string): ts.ParameterDeclaration | undefined {
  const decl = nodes(file).find((n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && n.name.getText() === name);
  const call = decl?.initializer;
  if (!call || !ts.isCallExpression(call)) return undefined;
  if (call.expression.getText() === 'adminUserOperation') {
    const act = call.arguments[1];
    return act && (ts.isArrowFunction(act) || ts.isFunctionExpression(act)) ? act.parameters[0] : undefined;
  }
  const def = call.arguments[0];
  if (call.expression.getText() !== 'operation' || !def || !ts.isObjectLiteralExpression(def)) return undefined;
  const handle = def.properties.find((p) => p.name?.getText() === 'handle');
  return handle && ts.isMethodDeclaration(handle) ? handle.parameters[0] : undefined;
}

/** An operation's file: its own (camel-cased name), or latchkeySettings.ts for the Latchkey settings operations it groups. */
const fileOf = (name: string) => {
  const own = name[0]!.toLowerCase() + name.slice(1);
  return name.startsWith('Latchkey') && !existsSync(src(`operations/${own}.ts`)) ? 'latchkeySettings' : own;
};

describe('typed, narrow operations', () => {
  it('operations/types.ts has no `any`', () => {
    const file = parse('operations/types.ts');
    const anys = nodes(file).filter((n) => n.kind === ts.SyntaxKind.AnyKeyword);
    expect(anys.map((n) => `line ${file.getLineAndCharacterOfPosition(n.getStart()).line + 1}`)).toEqual([]);
  });

  it("every registered handler's first parameter is Pick<Services, …>", () => {
    const names = Object.keys(registry);
    expect(Object.keys(operations)).toEqual(names);
    const wrong = names.filter((name) => {
      const param = servicesParameter(parse(`operations/${fileOf(name)}.ts`), name);
      return !param?.type || !/^Pick<Services, [^>]+>$/.test(param.type.getText());
    });
    expect(wrong).toEqual([]);
  });

  it('protocol/errors.ts and protocol/validate.ts import nothing from the rest of the server (only the shared wire names)', () => {
    for (const p of ['protocol/errors.ts', 'protocol/validate.ts']) {
      const specifiers = parse(p)
        .statements.filter(ts.isImportDeclaration)
        .map((d) => (d.moduleSpecifier as ts.StringLiteral).text);
      expect(specifiers.filter((s) => s !== './errors.js' && s !== '@latchkey/wire')).toEqual([]);
    }
  });

  it('the AWS SDK (a devDependency) is only ever imported as types', () => {
    const files = readdirSync(src(''), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const valueImports = files.filter((f) =>
      parse(f)
        .statements.filter(ts.isImportDeclaration)
        .some((d) => (d.moduleSpecifier as ts.StringLiteral).text.startsWith('@aws-sdk/') && !d.importClause?.isTypeOnly),
    );
    expect(files.length).toBeGreaterThan(50);
    expect(valueImports).toEqual([]);
  });

  it('this file is type-checked by npm run lint', () => {
    const { scripts } = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'));
    expect(scripts.lint).toMatch(/npm run typecheck\b/);
    expect(scripts.typecheck).toMatch(/^tsc -b [^&]* packages\/server\/test\b/);
    const config = JSON.parse(readFileSync(fileURLToPath(new URL('./tsconfig.json', import.meta.url)), 'utf8'));
    expect(config.include).toContain('operation-types.test.ts');
  });
});

// ---- Compile-time checks (npm run lint builds packages/server/test). Nothing below needs to run.

type Assert<T extends true> = T;
/** Whether a handler's services are a strict subset of Services (no handler needs them all). */
type Narrow<Op extends { handle(...args: never[]): unknown }> = keyof Services extends keyof Parameters<Op['handle']>[0] ? false : true;
export type EveryHandlerIsNarrow = Assert<{ [N in keyof Operations]: Narrow<Operations[N]> }[keyof Operations]>;
// @ts-expect-error a handler taking all of Services is not narrow
export type WholeServicesIsNotNarrow = Assert<Narrow<{ handle(s: Services): Promise<object> }>>;

// Inputs are inferred from the schema: required members present, enum members a literal union.
type InitiateInput = Parameters<(typeof InitiateAuth)['handle']>[1];
export const flow: InitiateInput['AuthFlow'] = 'USER_SRP_AUTH';
// @ts-expect-error not one of the AuthFlow enum values
export const notAFlow: InitiateInput['AuthFlow'] = 'USER_SRP';
export const clientId: string = null! as InitiateInput['ClientId'];
// @ts-expect-error Session is optional in the schema, so it may be undefined
export const session: string = null! as InitiateInput['Session'];

const listShape = { AccessToken: common.accessToken(), MaxResults: v.int({ min: 1, max: 20 }), Items: v.list(v.str({ enum: ['a', 'b'] })) };
export const listInput: Infer<typeof listShape> = { AccessToken: 't', Items: ['a'] };
// @ts-expect-error AccessToken is required
export const missingRequired: Infer<typeof listShape> = { MaxResults: 1 };
// @ts-expect-error 'c' is not in the item enum
export const badItem: Infer<typeof listShape> = { AccessToken: 't', Items: ['c'] };

// Outputs are the SDK's shapes on the wire; inputs only what the schema lets through; services only those declared.
export const Checked = operation({
  auth: 'none',
  input: listShape,
  async handle(s: Pick<Services, 'clock'>, input): Promise<Wire<ListWebAuthnCredentialsResponse>> {
    // @ts-expect-error NextToken is not in this schema
    void input.NextToken;
    // @ts-expect-error store was not declared in the Pick
    void s.store;
    const credential = { CredentialId: 'c', FriendlyCredentialName: 'f', RelyingPartyId: 'r', AuthenticatorTransports: [] };
    if (input.MaxResults === 0) {
      // @ts-expect-error the wire sends epoch seconds, not a Date
      return { Credentials: [{ ...credential, CreatedAt: new Date() }] };
    }
    if (input.MaxResults === 1) return { Credentials: [{ ...credential, CreatedAt: s.clock.now() / 1000 }] };
    // @ts-expect-error a misspelled output member
    return { Credential: [], NextToken: input.AccessToken };
  },
});

export const CheckedAdmin = adminUserOperation(
  { Permanent: v.bool() },
  async (_s: Pick<Services, never>, _pool, user, input): Promise<Wire<GetUserResponse>> => {
    const permanent: boolean | undefined = input.Permanent;
    const username: string = input.Username;
    void permanent;
    // @ts-expect-error UserAttributes is misspelled
    return { Username: username, UserAtributes: [{ Name: 'sub', Value: user.id }] };
  },
);
