// Browser page for test/e2e/amplify-ui.test.ts: the REAL @aws-amplify/ui-react <Authenticator> in its
// passwordless configuration (email codes and passkeys, no password), on the REAL aws-amplify v6, bundled
// by esbuild (jsx automatic, the ui-react CSS beside the bundle).
import { Amplify } from 'aws-amplify';
import { Authenticator } from '@aws-amplify/ui-react';
import '@aws-amplify/ui-react/styles.css';
import { createRoot } from 'react-dom/client';

interface E2EConfig {
  userPoolId: string;
  userPoolClientId: string;
  userPoolEndpoint: string;
}
const config = (window as unknown as { LATCHKEY_E2E: E2EConfig }).LATCHKEY_E2E;

Amplify.configure({
  Auth: {
    Cognito: {
      ...config,
      loginWith: { email: true },
      userAttributes: { email: { required: true } },
    },
  },
});

function App() {
  return (
    <Authenticator
      initialState="signUp"
      loginMechanisms={['email']}
      passwordless={{
        // Email codes first, passkeys under "Other sign-in options"; no password, no SMS.
        preferredAuthMethod: 'EMAIL_OTP',
        hiddenAuthMethods: ['PASSWORD', 'SMS_OTP'],
        passkeyRegistrationPrompts: { afterSignup: 'ALWAYS', afterSignin: 'NEVER' },
      }}
    >
      {({ signOut, user }) => (
        <main data-testid="signed-in">
          <h2>Signed in as {user?.signInDetails?.loginId ?? user?.username}</h2>
          <p>
            User id: <span data-testid="user-id">{user?.userId}</span>
          </p>
          <button type="button" onClick={() => signOut?.()}>
            Sign out
          </button>
        </main>
      )}
    </Authenticator>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
(window as unknown as { appStarted: boolean }).appStarted = true;
