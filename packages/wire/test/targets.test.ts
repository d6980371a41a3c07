/** The target prefix and the closed list of error names, against the server's error classes. */
import { describe, expect, it } from 'vitest';
import { COGNITO_ERROR_TYPES, TARGET_PREFIX, isCognitoErrorType } from '@latchkey/wire';
import * as serverErrors from '../../server/src/protocol/errors.js';

describe('targets', () => {
  it('the prefix is the AWS JSON 1.1 service name Cognito uses', () => {
    expect(TARGET_PREFIX).toBe('AWSCognitoIdentityProviderService.');
  });

  it('every listed error name has a server class of that name, and every server class is listed', () => {
    const classes = Object.entries(serverErrors).filter(
      ([name, value]) => typeof value === 'function' && name !== 'ServiceError' && value.prototype instanceof serverErrors.ServiceError,
    );
    expect(classes.map(([name]) => name).sort()).toEqual([...COGNITO_ERROR_TYPES].sort());
    for (const [name, cls] of classes) expect(new (cls as new () => serverErrors.ServiceError)().type).toBe(name);
  });

  it('lists each name once, each ending in Exception', () => {
    expect(new Set(COGNITO_ERROR_TYPES).size).toBe(COGNITO_ERROR_TYPES.length);
    for (const name of COGNITO_ERROR_TYPES) expect(name).toMatch(/^[A-Z][A-Za-z]+Exception$/);
  });

  it('isCognitoErrorType is true only for listed names', () => {
    expect(isCognitoErrorType('NotAuthorizedException')).toBe(true);
    expect(isCognitoErrorType('TokenRevokedException')).toBe(false);
    expect(isCognitoErrorType(undefined)).toBe(false);
  });
});
