import type { AnyOperation } from './types.js';
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
import { AssociateSoftwareToken } from './associateSoftwareToken.js';
import { VerifySoftwareToken } from './verifySoftwareToken.js';
import { SetUserMFAPreference } from './setUserMFAPreference.js';
import { AdminSetUserMFAPreference } from './adminSetUserMFAPreference.js';
import { SignUp } from './signUp.js';
import { ConfirmSignUp } from './confirmSignUp.js';
import { ResendConfirmationCode } from './resendConfirmationCode.js';
import { InitiateAuth } from './initiateAuth.js';
import { RespondToAuthChallenge } from './respondToAuthChallenge.js';
import { GetTokensFromRefreshToken } from './getTokensFromRefreshToken.js';
import { GetUser } from './getUser.js';
import { UpdateUserAttributes } from './updateUserAttributes.js';
import { GetUserAttributeVerificationCode } from './getUserAttributeVerificationCode.js';
import { VerifyUserAttribute } from './verifyUserAttribute.js';
import { DeleteUser } from './deleteUser.js';
import { DeleteUserAttributes } from './deleteUserAttributes.js';
import { AdminDeleteUserAttributes } from './adminDeleteUserAttributes.js';
import { ChangePassword } from './changePassword.js';
import { ForgotPassword } from './forgotPassword.js';
import { ConfirmForgotPassword } from './confirmForgotPassword.js';
import { GlobalSignOut } from './globalSignOut.js';
import { RevokeToken } from './revokeToken.js';
import { AdminCreateUser } from './adminCreateUser.js';
import { AdminGetUser } from './adminGetUser.js';
import { AdminDeleteUser } from './adminDeleteUser.js';
import { AdminSetUserPassword } from './adminSetUserPassword.js';
import { AdminResetUserPassword } from './adminResetUserPassword.js';
import { AdminConfirmSignUp } from './adminConfirmSignUp.js';
import { AdminDisableUser } from './adminDisableUser.js';
import { AdminEnableUser } from './adminEnableUser.js';
import { AdminUpdateUserAttributes } from './adminUpdateUserAttributes.js';
import { AdminUserGlobalSignOut } from './adminUserGlobalSignOut.js';
import { AdminInitiateAuth } from './adminInitiateAuth.js';
import { AdminRespondToAuthChallenge } from './adminRespondToAuthChallenge.js';
import { ListUsers } from './listUsers.js';
import { StartWebAuthnRegistration } from './startWebAuthnRegistration.js';
import { CompleteWebAuthnRegistration } from './completeWebAuthnRegistration.js';
import { ListWebAuthnCredentials } from './listWebAuthnCredentials.js';
import { DeleteWebAuthnCredential } from './deleteWebAuthnCredential.js';
import { GetUserAuthFactors } from './getUserAuthFactors.js';
import { AdminGetUserAuthFactors } from './adminGetUserAuthFactors.js';
import { CreateGroup } from './createGroup.js';
import { GetGroup } from './getGroup.js';
import { UpdateGroup } from './updateGroup.js';
import { DeleteGroup } from './deleteGroup.js';
import { ListGroups } from './listGroups.js';
import { AdminAddUserToGroup } from './adminAddUserToGroup.js';
import { AdminRemoveUserFromGroup } from './adminRemoveUserFromGroup.js';
import { AdminListGroupsForUser } from './adminListGroupsForUser.js';
import { ListUsersInGroup } from './listUsersInGroup.js';
import { AdminListUserAuthEvents } from './adminListUserAuthEvents.js';
import { ConfirmDevice } from './confirmDevice.js';
import { UpdateDeviceStatus } from './updateDeviceStatus.js';
import { ListDevices } from './listDevices.js';
import { GetDevice } from './getDevice.js';
import { ForgetDevice } from './forgetDevice.js';
import { AdminGetDevice } from './adminGetDevice.js';
import { AdminListDevices } from './adminListDevices.js';
import { AdminUpdateDeviceStatus } from './adminUpdateDeviceStatus.js';
import { AdminForgetDevice } from './adminForgetDevice.js';
import { AddCustomAttributes } from './addCustomAttributes.js';
import { ListTagsForResource } from './listTagsForResource.js';
import { TagResource } from './tagResource.js';
import { UntagResource } from './untagResource.js';
import { DescribeUserPoolDomain } from './describeUserPoolDomain.js';
import { DescribeRiskConfiguration } from './describeRiskConfiguration.js';
import { GetLogDeliveryConfiguration } from './getLogDeliveryConfiguration.js';
import {
  LatchkeyUpdateUserPoolSettings,
  LatchkeyDescribeUserPoolSettings,
  LatchkeyUpdateUserPoolClientSettings,
  LatchkeyRotateSigningKey,
} from './latchkeySettings.js';
import { LatchkeyUpdateWebAuthnCredential } from './latchkeyUpdateWebAuthnCredential.js';
import { LatchkeyAdminListWebAuthnCredentials } from './latchkeyAdminListWebAuthnCredentials.js';
import { LatchkeyAdminDeleteWebAuthnCredential } from './latchkeyAdminDeleteWebAuthnCredential.js';

/** Every operation with its own types, so checks over the whole set happen at compile time (test/operation-types.test.ts). */
export const operations = {
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
  AssociateSoftwareToken,
  VerifySoftwareToken,
  SetUserMFAPreference,
  AdminSetUserMFAPreference,
  AddCustomAttributes,
  ListTagsForResource,
  TagResource,
  UntagResource,
  DescribeUserPoolDomain,
  DescribeRiskConfiguration,
  GetLogDeliveryConfiguration,
  SignUp,
  ConfirmSignUp,
  ResendConfirmationCode,
  InitiateAuth,
  RespondToAuthChallenge,
  GetTokensFromRefreshToken,
  GetUser,
  UpdateUserAttributes,
  GetUserAttributeVerificationCode,
  VerifyUserAttribute,
  DeleteUser,
  DeleteUserAttributes,
  AdminDeleteUserAttributes,
  ChangePassword,
  ForgotPassword,
  ConfirmForgotPassword,
  GlobalSignOut,
  RevokeToken,
  AdminCreateUser,
  AdminGetUser,
  AdminDeleteUser,
  AdminSetUserPassword,
  AdminResetUserPassword,
  AdminConfirmSignUp,
  AdminDisableUser,
  AdminEnableUser,
  AdminUpdateUserAttributes,
  AdminUserGlobalSignOut,
  AdminInitiateAuth,
  AdminRespondToAuthChallenge,
  ListUsers,
  StartWebAuthnRegistration,
  CompleteWebAuthnRegistration,
  ListWebAuthnCredentials,
  DeleteWebAuthnCredential,
  GetUserAuthFactors,
  AdminGetUserAuthFactors,
  CreateGroup,
  GetGroup,
  UpdateGroup,
  DeleteGroup,
  ListGroups,
  AdminAddUserToGroup,
  AdminRemoveUserFromGroup,
  AdminListGroupsForUser,
  ListUsersInGroup,
  AdminListUserAuthEvents,
  ConfirmDevice,
  UpdateDeviceStatus,
  ListDevices,
  GetDevice,
  ForgetDevice,
  AdminGetDevice,
  AdminListDevices,
  AdminUpdateDeviceStatus,
  AdminForgetDevice,
  LatchkeyUpdateUserPoolSettings,
  LatchkeyDescribeUserPoolSettings,
  LatchkeyUpdateUserPoolClientSettings,
  LatchkeyRotateSigningKey,
  LatchkeyUpdateWebAuthnCredential,
  LatchkeyAdminListWebAuthnCredentials,
  LatchkeyAdminDeleteWebAuthnCredential,
} satisfies Record<string, AnyOperation>;
export type Operations = typeof operations;

/** Target name (after `AWSCognitoIdentityProviderService.`) → operation. Keys are Cognito's exact names. */
export const registry: Readonly<Record<string, AnyOperation>> = Object.freeze(operations);
