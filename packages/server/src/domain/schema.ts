import type { SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterException } from '../protocol/errors.js';
import { FIXED } from '../config/defaults.js';

/** One schema attribute with every member Cognito returns for it (DescribeUserPool.SchemaAttributes). */
export type SchemaAttribute = {
  Name: string;
  AttributeDataType: 'String' | 'Number' | 'DateTime' | 'Boolean';
  DeveloperOnlyAttribute: boolean;
  Mutable: boolean;
  Required: boolean;
  StringAttributeConstraints?: { MinLength?: string; MaxLength?: string };
  NumberAttributeConstraints?: { MinValue?: string; MaxValue?: string };
};

const text = (Name: string, MinLength = '0', MaxLength = '2048'): SchemaAttribute => ({
  Name,
  AttributeDataType: 'String',
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
  StringAttributeConstraints: { MinLength, MaxLength },
});
const flag = (Name: string): SchemaAttribute => ({
  Name,
  AttributeDataType: 'Boolean',
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
});

/** Cognito's standard attributes, in the order and with the shapes DescribeUserPool returns for a new pool. */
export const STANDARD_SCHEMA: readonly SchemaAttribute[] = Object.freeze([
  { ...text('sub', '1'), Mutable: false, Required: true },
  text('name'),
  text('given_name'),
  text('family_name'),
  text('middle_name'),
  text('nickname'),
  text('preferred_username'),
  text('profile'),
  text('picture'),
  text('website'),
  text('email'),
  flag('email_verified'),
  text('gender'),
  text('birthdate', '10', '10'),
  text('zoneinfo'),
  text('locale'),
  text('phone_number'),
  flag('phone_number_verified'),
  text('address'),
  {
    Name: 'updated_at',
    AttributeDataType: 'Number',
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
    NumberAttributeConstraints: { MinValue: '0' },
  },
]);

const STANDARD_NAMES = new Set(STANDARD_SCHEMA.map((a) => a.Name));
/** Quota: custom attributes per pool. */
export const MAX_CUSTOM_ATTRIBUTES = FIXED.maxCustomAttributes.default;
const TYPES = ['String', 'Number', 'DateTime', 'Boolean'] as const;
const NUMERIC = /^-?\d+$/;

const bad = (message: string) => new InvalidParameterException(message);

/** A constraint value as Cognito stores it (a decimal integer string), or undefined when absent. */
function constraint(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !NUMERIC.test(s)) throw bad(`${what} must be an integer.`);
  return s;
}

/**
 * A custom attribute from a `Schema` / `CustomAttributes` entry, named as Cognito names it: `custom:<Name>`, and
 * `dev:custom:<Name>` for a developer-only attribute (which only admin operations may write or read).
 * @throws InvalidParameterException for a bad name, type or constraint, and for `Required: true`.
 */
export function customAttribute(input: SchemaAttributeType): SchemaAttribute {
  const name = input.Name;
  if (typeof name !== 'string' || name.length < 1 || name.length > 20 || !/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u.test(name))
    throw bad("1 validation error detected: Value at 'schema.member.name' failed to satisfy constraint: Member must have length 1-20");
  const type = input.AttributeDataType ?? 'String';
  if (!TYPES.includes(type as (typeof TYPES)[number])) throw bad(`Invalid AttributeDataType for attribute ${name}.`);
  if (input.Required === true) throw bad('Required custom attributes are not supported currently.');
  const dev = input.DeveloperOnlyAttribute === true;
  const out: SchemaAttribute = {
    Name: `${dev ? 'dev:' : ''}custom:${name}`,
    AttributeDataType: type as SchemaAttribute['AttributeDataType'],
    DeveloperOnlyAttribute: dev,
    Mutable: input.Mutable ?? true,
    Required: false,
  };
  if (type === 'String') {
    const min = constraint(input.StringAttributeConstraints?.MinLength, 'MinLength') ?? '0';
    const max = constraint(input.StringAttributeConstraints?.MaxLength, 'MaxLength') ?? '2048';
    if (Number(min) < 0 || Number(max) > 2048 || Number(min) > Number(max))
      throw bad(`Invalid StringAttributeConstraints for attribute ${name}: 0 <= MinLength <= MaxLength <= 2048.`);
    out.StringAttributeConstraints = { MinLength: min, MaxLength: max };
  } else if (type === 'Number') {
    const min = constraint(input.NumberAttributeConstraints?.MinValue, 'MinValue');
    const max = constraint(input.NumberAttributeConstraints?.MaxValue, 'MaxValue');
    if (min !== undefined && max !== undefined && BigInt(min) > BigInt(max))
      throw bad(`Invalid NumberAttributeConstraints for attribute ${name}: MinValue > MaxValue.`);
    out.NumberAttributeConstraints = { ...(min !== undefined ? { MinValue: min } : {}), ...(max !== undefined ? { MaxValue: max } : {}) };
  }
  return out;
}

/**
 * The full schema of a new pool from CreateUserPool's `Schema`: the standard attributes (an entry of a standard name
 * may make it `Required`, immutable, or narrow its string lengths) followed by the custom ones.
 * @throws InvalidParameterException as customAttribute does, and for duplicate names.
 */
export function buildSchema(input: readonly SchemaAttributeType[] | undefined): SchemaAttribute[] {
  const standard = STANDARD_SCHEMA.map((a) => ({ ...a }));
  const custom: SchemaAttribute[] = [];
  for (const entry of input ?? []) {
    const std = standard.find((a) => a.Name === entry.Name);
    if (std && std.Name !== 'sub') {
      if (entry.AttributeDataType !== undefined && entry.AttributeDataType !== std.AttributeDataType)
        throw bad(`Invalid AttributeDataType input, consider using the provided AttributeDataType enum.`);
      if (entry.Required !== undefined) std.Required = entry.Required;
      if (entry.Mutable !== undefined) std.Mutable = entry.Mutable;
      const c = entry.StringAttributeConstraints;
      if (c && std.StringAttributeConstraints) {
        std.StringAttributeConstraints = {
          MinLength: constraint(c.MinLength, 'MinLength') ?? std.StringAttributeConstraints.MinLength!,
          MaxLength: constraint(c.MaxLength, 'MaxLength') ?? std.StringAttributeConstraints.MaxLength!,
        };
      }
    } else if (std) {
      // sub is fixed; Cognito accepts it listed with its own shape and changes nothing.
    } else {
      custom.push(customAttribute(entry));
    }
  }
  return addCustom(standard, custom);
}

/**
 * `schema` with `custom` appended (AddCustomAttributes).
 * @throws InvalidParameterException for a name already in the schema, or more than 50 custom attributes.
 */
export function addCustom(schema: readonly SchemaAttribute[], custom: readonly SchemaAttribute[]): SchemaAttribute[] {
  const out = [...schema];
  for (const attribute of custom) {
    const bare = attribute.Name.replace(/^dev:/, '');
    if (out.some((a) => a.Name.replace(/^dev:/, '') === bare)) throw bad(`Existing attribute already has name ${attribute.Name}.`);
    out.push(attribute);
  }
  if (out.filter((a) => !STANDARD_NAMES.has(a.Name)).length > MAX_CUSTOM_ATTRIBUTES)
    throw bad(`A user pool can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`);
  return out;
}

/** Why `value` breaks `attribute`'s type or constraints, or undefined when it conforms. */
export function valueViolation(attribute: SchemaAttribute, value: string): string | undefined {
  const s = attribute.StringAttributeConstraints;
  if (attribute.AttributeDataType === 'String' && s) {
    const length = [...value].length;
    if (s.MaxLength !== undefined && length > Number(s.MaxLength)) return `String must be no longer than ${s.MaxLength} characters`;
    if (s.MinLength !== undefined && length < Number(s.MinLength)) return `String must be at least ${s.MinLength} characters`;
  }
  if (attribute.AttributeDataType === 'Number') {
    if (!NUMERIC.test(value)) return 'Number must be an integer';
    const n = attribute.NumberAttributeConstraints;
    if (n?.MaxValue !== undefined && BigInt(value) > BigInt(n.MaxValue)) return `Number must be less than or equal to ${n.MaxValue}`;
    if (n?.MinValue !== undefined && BigInt(value) < BigInt(n.MinValue)) return `Number must be greater than or equal to ${n.MinValue}`;
  }
  return undefined;
}

/** Whether a stored schema document is one buildSchema wrote (checked once, in the pool row mapper). */
export function isStoredSchema(v: unknown): v is SchemaAttribute[] {
  return (
    Array.isArray(v) &&
    v.every(
      (a) =>
        typeof a === 'object' &&
        a !== null &&
        typeof (a as SchemaAttribute).Name === 'string' &&
        TYPES.includes((a as SchemaAttribute).AttributeDataType),
    )
  );
}

/**
 * CreateUserPool / UpdateUserPool: every attribute whose update waits for verification must be auto-verified
 * (the code that verifies it is the auto-verification code).
 * @throws InvalidParameterException
 */
export function assertUpdateSettings(config: {
  UserAttributeUpdateSettings?: { AttributesRequireVerificationBeforeUpdate?: string[] };
  AutoVerifiedAttributes?: string[];
}): void {
  for (const name of config.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? []) {
    if (!(config.AutoVerifiedAttributes ?? []).includes(name))
      throw bad(`${name} in AttributesRequireVerificationBeforeUpdate must also be in AutoVerifiedAttributes.`);
  }
}

/**
 * CreateUserPoolClient / UpdateUserPoolClient: ReadAttributes and WriteAttributes name attributes of the pool's
 * schema (not `sub`, and no `*_verified` flag to write: only admins set those).
 * @throws InvalidParameterException "Invalid read attributes specified while creating a client" (and the like)
 */
export function assertClientAttributes(
  schema: readonly SchemaAttribute[],
  settings: { ReadAttributes?: string[]; WriteAttributes?: string[] },
  verb: 'creating' | 'updating',
): void {
  const known = new Set(schema.map((a) => a.Name));
  if (settings.ReadAttributes?.some((n) => !known.has(n))) throw bad(`Invalid read attributes specified while ${verb} a client`);
  if (settings.WriteAttributes?.some((n) => !known.has(n) || n === 'sub' || n.endsWith('_verified')))
    throw bad(`Invalid write attributes specified while ${verb} a client`);
}
