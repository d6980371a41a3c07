import type { Operation } from './types.js';
import { CreateUserPool } from './createUserPool.js';
import { DescribeUserPool } from './describeUserPool.js';
import { UpdateUserPool } from './updateUserPool.js';
import { DeleteUserPool } from './deleteUserPool.js';
import { ListUserPools } from './listUserPools.js';
import { CreateUserPoolClient } from './createUserPoolClient.js';
import { DescribeUserPoolClient } from './describeUserPoolClient.js';
import { UpdateUserPoolClient } from './updateUserPoolClient.js';
import { DeleteUserPoolClient } from './deleteUserPoolClient.js';
import { ListUserPoolClients } from './listUserPoolClients.js';
import { SetUserPoolMfaConfig } from './setUserPoolMfaConfig.js';
import { GetUserPoolMfaConfig } from './getUserPoolMfaConfig.js';

/** Target name (after `AWSCognitoIdentityProviderService.`) → operation. Keys are Cognito's exact names. */
export const registry: Readonly<Record<string, Operation>> = Object.freeze({
  CreateUserPool,
  DescribeUserPool,
  UpdateUserPool,
  DeleteUserPool,
  ListUserPools,
  CreateUserPoolClient,
  DescribeUserPoolClient,
  UpdateUserPoolClient,
  DeleteUserPoolClient,
  ListUserPoolClients,
  SetUserPoolMfaConfig,
  GetUserPoolMfaConfig,
});
