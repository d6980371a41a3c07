// An ordinary Cognito Lambda trigger handler, unchanged: one function for several triggers, switching on triggerSource.
export const handler = async (event) => {
  switch (event.triggerSource) {
    case 'PreSignUp_SignUp':
      // Refuse sign-ups outside one domain; auto-confirm the rest.
      if (!event.request.userAttributes.email?.endsWith('@example.com')) throw new Error('Only example.com addresses may sign up');
      event.response.autoConfirmUser = true;
      event.response.autoVerifyEmail = true;
      break;
    case 'TokenGeneration_Authentication':
    case 'TokenGeneration_RefreshTokens':
      // Pre token generation V2_0: a tenant claim in both tokens, an extra scope in the access token.
      event.response.claimsAndScopeOverrideDetails = {
        idTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme' } },
        accessTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme' }, scopesToAdd: ['orders/read'] },
      };
      break;
  }
  return event;
};
