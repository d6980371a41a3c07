import { InvalidParameterException, SerializationException } from './errors.js';

/**
 * Edge validation with Cognito's phrasing ("1 validation error detected: Value null at 'userPoolId'
 * failed to satisfy constraint: Member must not be null"). Members not in the shape are dropped, so
 * handlers only ever see allow-listed fields.
 */
export type Rule = StringRule | IntRule | BoolRule | MapRule | ListRule | ObjectRule | DocumentRule;
export type Shape = Record<string, Rule>;

// Each rule carries its `required` flag (and enum values, list items, object fields) in its type, so a
// handler's input type is inferred from the same shape that validates it and is never written twice.
interface Presence<R extends boolean> {
  required?: R;
}
export interface StringRule<E extends string = string, R extends boolean = boolean> extends Presence<R> {
  kind: 'string';
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly E[];
}
export interface IntRule<R extends boolean = boolean> extends Presence<R> {
  kind: 'int';
  min?: number;
  max?: number;
}
export interface BoolRule<R extends boolean = boolean> extends Presence<R> {
  kind: 'bool';
}
export interface MapRule<R extends boolean = boolean> extends Presence<R> {
  kind: 'map';
  maxEntries?: number;
  maxValue?: number;
}
export interface ListRule<Of extends Rule = Rule, R extends boolean = boolean> extends Presence<R> {
  kind: 'list';
  of: Of;
  min?: number;
  max?: number;
}
export interface ObjectRule<F extends Shape = Shape, R extends boolean = boolean> extends Presence<R> {
  kind: 'object';
  fields: F;
}
export interface DocumentRule<R extends boolean = boolean> extends Presence<R> {
  kind: 'document';
  maxBytes?: number;
}

/** The value a rule lets through (list items are never null: a null item is a violation). */
type ValueOf<Ru extends Rule> =
  Ru extends StringRule<infer E>
    ? E
    : Ru extends IntRule
      ? number
      : Ru extends BoolRule
        ? boolean
        : Ru extends MapRule
          ? Record<string, string>
          : Ru extends ListRule<infer Of>
            ? ValueOf<Of>[]
            : Ru extends ObjectRule<infer F>
              ? Infer<F>
              : unknown; // a document: any JSON the sender chose, to be narrowed where it is used

/** Only a literal `required: true` makes a member non-optional; `boolean` (not known statically) does not. */
type RequiredKeys<S extends Shape> = {
  [K in keyof S]-?: S[K] extends Presence<infer R> ? ([R] extends [true] ? K : never) : never;
}[keyof S];

/** The type `validate(shape, …)` returns: required members present, the others optional, unknown members gone. */
export type Infer<S extends Shape> = Flatten<
  { [K in RequiredKeys<S>]: ValueOf<S[K]> } & { [K in Exclude<keyof S, RequiredKeys<S>>]?: ValueOf<S[K]> }
>;
type Flatten<T> = { [K in keyof T]: T[K] };

type Options<T extends Rule> = Omit<T, 'kind'>;
export const v = {
  str: <const E extends string = string, const R extends boolean = false>(o: Options<StringRule<E, R>> = {}): StringRule<E, R> => ({
    kind: 'string',
    ...o,
  }),
  int: <const R extends boolean = false>(o: Options<IntRule<R>> = {}): IntRule<R> => ({ kind: 'int', ...o }),
  bool: <const R extends boolean = false>(o: Options<BoolRule<R>> = {}): BoolRule<R> => ({ kind: 'bool', ...o }),
  map: <const R extends boolean = false>(o: Options<MapRule<R>> = {}): MapRule<R> => ({ kind: 'map', ...o }),
  list: <Of extends Rule, const R extends boolean = false>(of: Of, o: Omit<Options<ListRule<Of, R>>, 'of'> = {}): ListRule<Of, R> => ({
    kind: 'list',
    of,
    ...o,
  }),
  obj: <F extends Shape, const R extends boolean = false>(fields: F, o: Presence<R> = {}): ObjectRule<F, R> => ({
    kind: 'object',
    fields,
    ...o,
  }),
  doc: <const R extends boolean = false>(o: Options<DocumentRule<R>> = {}): DocumentRule<R> => ({ kind: 'document', ...o }),
};

const attribute = () => v.obj({ Name: v.str({ required: true, min: 1, max: 32 }), Value: v.str({ max: 2048 }) });

/**
 * Shared member rules, with Cognito's lengths and patterns. `NoInfer` keeps a call without an argument
 * at its default: otherwise the `Shape` a rule is written into would widen `required` to `boolean`.
 */
export const common = {
  userPoolId: <R extends boolean = true>(required = true as R): StringRule<string, NoInfer<R>> =>
    v.str({ required, min: 1, max: 55, pattern: /^[\w-]+_[0-9a-zA-Z]+$/ }),
  clientId: <R extends boolean = true>(required = true as R): StringRule<string, NoInfer<R>> =>
    v.str({ required, min: 1, max: 128, pattern: /^[\w+]+$/ }),
  username: <R extends boolean = true>(required = true as R): StringRule<string, NoInfer<R>> =>
    v.str({ required, min: 1, max: 128, pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u }),
  password: <R extends boolean = true>(required = true as R): StringRule<string, NoInfer<R>> =>
    v.str({ required, min: 1, max: 256, pattern: /^[\S]+.*[\S]+$|^\S$/s }),
  accessToken: () => v.str({ required: true, min: 1, max: 16384, pattern: /^[A-Za-z0-9-_=.]+$/ }),
  code: <R extends boolean = true>(required = true as R): StringRule<string, NoInfer<R>> =>
    v.str({ required, min: 1, max: 2048, pattern: /^[\S]+$/ }),
  session: <R extends boolean = false>(required = false as R): StringRule<string, NoInfer<R>> => v.str({ required, min: 20, max: 2048 }),
  attributes: <R extends boolean = false>(required = false as R): ListRule<ReturnType<typeof attribute>, NoInfer<R>> =>
    v.list(attribute(), { required, max: 100 }),
  limit: (max: number) => v.int({ min: 0, max }),
  nextToken: () => v.str({ min: 1, max: 131072, pattern: /^\S+$/ }),
  clientMetadata: () => v.map({ maxEntries: 50, maxValue: 4096 }),
};

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const show = (value: unknown) =>
  value === null || value === undefined
    ? 'null'
    : typeof value === 'string'
      ? `'${value.length > 64 ? value.slice(0, 64) + '…' : value}'`
      : JSON.stringify(value)?.slice(0, 64);

/** Deepest nesting accepted in a free-form document member; no Cognito document comes close. */
const MAX_DOCUMENT_DEPTH = 32;

/** Nesting depth of parsed JSON, computed without recursion. */
export function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > max) max = depth;
    if (max > MAX_DOCUMENT_DEPTH) return max;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * U+0000 and unpaired UTF-16 surrogates: PostgreSQL refuses both in text (`invalid byte sequence for
 * encoding "UTF8"`) while SQLite stores them, so they are refused here, for every store alike.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string can be stored as text by every store (no NUL, no lone surrogate). */
export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/**
 * The path (Cognito style) of the first member name or string value of parsed JSON that is not storable
 * text, anywhere in the input (known members or not), computed without recursion; undefined if none.
 */
export function unstorablePath(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (!isStorableText(value)) return path;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${path}.${i + 1}.member`]));
      continue;
    }
    for (const [k, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${lowerFirst(k)}` : lowerFirst(k);
      if (!isStorableText(k)) return childPath;
      stack.push([child, childPath]);
    }
  }
  return undefined;
}

/** A value of the wrong JSON type fails deserialization before validation, as in AWS JSON 1.1 services. */
class TypeMismatch extends Error {}
const JSON_TYPE = (v: unknown) =>
  typeof v === 'string'
    ? 'STRING_VALUE'
    : typeof v === 'number'
      ? 'NUMBER_VALUE'
      : typeof v === 'boolean'
        ? 'BOOLEAN_VALUE'
        : Array.isArray(v)
          ? 'START_ARRAY'
          : 'START_OBJECT';
function mismatch(value: unknown, target: string): never {
  throw new TypeMismatch(`${JSON_TYPE(value)} can not be converted to ${target}`);
}

function check(rule: Rule, value: unknown, path: string, errors: string[]): unknown {
  if (value === undefined || value === null) {
    if (rule.required) errors.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  switch (rule.kind) {
    case 'string': {
      if (typeof value !== 'string') mismatch(value, 'a String');
      const len = [...value].length;
      if (rule.min !== undefined && len < rule.min)
        errors.push(
          `Value ${show(value)} at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
        );
      else if (rule.max !== undefined && len > rule.max)
        errors.push(`Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
      else if (rule.pattern && !rule.pattern.test(value))
        errors.push(
          `Value at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.pattern.source}`,
        );
      else if (rule.enum && !rule.enum.includes(value))
        errors.push(
          `Value ${show(value)} at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${rule.enum.join(', ')}]`,
        );
      return value;
    }
    case 'int': {
      if (typeof value !== 'number') mismatch(value, 'an Integer');
      if (!Number.isInteger(value)) {
        errors.push(`Value ${show(value)} at '${path}' failed to satisfy constraint: Member must be an integer`);
        return undefined;
      }
      if (rule.min !== undefined && value < rule.min)
        errors.push(
          `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${rule.min}`,
        );
      if (rule.max !== undefined && value > rule.max)
        errors.push(`Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${rule.max}`);
      return value;
    }
    case 'bool':
      if (typeof value !== 'boolean') mismatch(value, 'a Boolean');
      return value;
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) mismatch(value, 'a Map');
      const entries = Object.entries(value as object);
      if (rule.maxEntries !== undefined && entries.length > rule.maxEntries)
        errors.push(`Value at '${path}' failed to satisfy constraint: Member must have at most ${rule.maxEntries} entries`);
      for (const [k, val] of entries) {
        if (typeof val !== 'string') mismatch(val, 'a String');
        else if (rule.maxValue !== undefined && val.length > rule.maxValue)
          errors.push(
            `Value at '${path}.${k}' failed to satisfy constraint: Member must have length less than or equal to ${rule.maxValue}`,
          );
      }
      return value;
    }
    case 'list': {
      if (!Array.isArray(value)) mismatch(value, 'a List');
      if (rule.min !== undefined && value.length < rule.min)
        errors.push(`Value at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`);
      if (rule.max !== undefined && value.length > rule.max)
        errors.push(`Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
      return value.map((item, i) => check({ ...rule.of, required: true }, item, `${path}.${i + 1}.member`, errors));
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) mismatch(value, 'a Structure');
      return checkShape(rule.fields, value as Record<string, unknown>, path, errors);
    }
    case 'document': {
      // Depth first (iteratively), so hostile nesting cannot overflow the stack in JSON.stringify or later.
      if (nestingDepth(value) > MAX_DOCUMENT_DEPTH) {
        errors.push(`Value at '${path}' failed to satisfy constraint: Member is nested too deeply`);
        return undefined;
      }
      if (rule.maxBytes !== undefined && JSON.stringify(value).length > rule.maxBytes)
        errors.push(`Value at '${path}' failed to satisfy constraint: Member is too large`);
      return value;
    }
  }
}

function checkShape(shape: Shape, input: Record<string, unknown>, prefix: string, errors: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${lowerFirst(name)}` : lowerFirst(name);
    const value = check(rule, input[name], path, errors);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Validates an operation's input against its shape and returns only the known members.
 * @throws InvalidParameterException for a string anywhere in the input that is not storable text
 *   (NUL, lone surrogate), else listing every violation of the shape, as Cognito does.
 */
export function validate<S extends Shape>(shape: S, input: unknown): Infer<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidParameterException('1 validation error detected: the request body must be a JSON object');
  }
  const bad = unstorablePath(input);
  if (bad !== undefined) {
    throw new InvalidParameterException(
      `1 validation error detected: Value at '${bad}' failed to satisfy ` +
        `constraint: Member must not contain NUL characters or unpaired surrogates`,
    );
  }
  const errors: string[] = [];
  let out: Record<string, unknown>;
  try {
    out = checkShape(shape, input as Record<string, unknown>, '', errors);
  } catch (err) {
    if (err instanceof TypeMismatch) throw new SerializationException(err.message);
    throw err;
  }
  if (errors.length > 0) {
    throw new InvalidParameterException(`${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
  }
  // checkShape walked exactly this shape, so the members it kept have the types Infer<S> names.
  return out as Infer<S>;
}
