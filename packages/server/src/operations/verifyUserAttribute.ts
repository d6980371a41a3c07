import { operation } from './types.js';
import { v, common } from '../protocol/validate.js';
import { authorizeAccessToken } from '../auth/accessToken.js';
import { useCode } from '../auth/codes.js';
import { emailKeyFor } from '../domain/users.js';
import { AliasExistsException, InvalidParameterException } from '../protocol/errors.js';
import { StoreConflictError } from '../storage/store.js';

export const VerifyUserAttribute = operation<{ AccessToken: string; AttributeName: string; Code: string }, object>({
  auth: 'none',
  input: { AccessToken: common.accessToken(), AttributeName: v.str({ required: true, min: 1, max: 32 }), Code: common.code() },
  async handle(s, { AccessToken, AttributeName, Code }) {
    const { pool, user } = await authorizeAccessToken(s, AccessToken);
    if (AttributeName !== 'email' && AttributeName !== 'phone_number') throw new InvalidParameterException(`${AttributeName} cannot be verified`);
    await useCode(s, pool, user, AttributeName === 'email' ? 'verify_email' : 'verify_phone_number', Code);
    const attributes = { ...user.attributes, [`${AttributeName}_verified`]: 'true' };
    try {
      await s.store.updateUser(pool.id, user.id, { attributes, emailKey: emailKeyFor(pool, attributes) }, s.clock.now());
    } catch (err) {
      if (err instanceof StoreConflictError) throw new AliasExistsException('An account with the given email already exists.');
      throw err;
    }
    return {};
  },
});
