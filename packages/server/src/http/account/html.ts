/**
 * The account page's HTML shell and error page. Everything interpolated is HTML-escaped; the page
 * configuration travels as `<script type="application/json">` (data, never executed), so the
 * Content-Security-Policy can stay `script-src 'self'` with no hashes or nonces.
 */

/** The configuration app.js reads from `#latchkey-config`. */
export interface AccountPageConfig {
  userPoolId: string;
  userPoolClientId: string;
  /** The Cognito endpoint the page talks to: its own origin + '/'. */
  endpoint: string;
  /** The pool's WebAuthn relying party id, when configured (used to explain RelyingPartyMismatch). */
  relyingPartyId?: string;
  /** The pool allows EMAIL_OTP as a first factor: the page offers "Sign in with an email code". Omitted when not. */
  emailOtp?: boolean;
  /** The pool has TOTP MFA: the page offers to set up an authenticator app (account/totp.ts). Omitted when not. */
  totp?: boolean;
}

export const ACCOUNT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON that is inert inside a <script> element (no `</script>`, `<!--`, or line separators). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// A key glyph as the favicon, inline so the browser makes no /favicon.ico request.
const FAVICON =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#2947c2"/>' +
      '<g transform="translate(5 5) scale(.92)" fill="none" stroke="#fff" ' +
      'stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round">' +
      '<circle cx="7.5" cy="15.5" r="4.5"/><path d="M10.7 12.3 20 3M16 7l3 3M14 9l2 2"/></g></svg>',
  );

function head(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${escapeHtml(FAVICON)}">
<link rel="stylesheet" href="/account/style.css">`;
}

const BRAND = `<header class="topbar">
  <span class="brand"><span class="brand-mark" aria-hidden="true"></span>Latchkey</span>
</header>`;

/** Offered only when the pool allows EMAIL_OTP: otherwise every click would end in a server error. */
const EMAIL_CODE_BUTTON = (config: AccountPageConfig) =>
  config.emailOtp
    ? `
        <button id="signin-email-code" type="button" class="button button-secondary">Sign in with an email code</button>`
    : '';

/** Offered only when the pool has TOTP MFA; the QR code is drawn by app.js (an SVG data: URL, no request). */
const TOTP_SECTION = (config: AccountPageConfig) =>
  config.totp
    ? `      <section id="totp-section" class="totp" aria-labelledby="totp-title">
        <div class="section-head">
          <div>
            <h2 id="totp-title">Authenticator app</h2>
            <p id="totp-state" class="muted"></p>
          </div>
          <button id="totp-setup" type="button" class="button button-primary">Set up an authenticator app</button>
          <button id="totp-remove" type="button" class="button button-secondary" hidden>Remove authenticator app</button>
        </div>
        <div id="totp-panel" class="totp-panel" hidden>
          <p class="muted">Scan this QR code with your authenticator app, or type the key into it.</p>
          <img id="totp-qr" class="totp-qr" alt="QR code for your authenticator app" width="200" height="200">
          <p class="muted">Key: <code id="totp-secret"></code></p>
          <form id="totp-form" class="stack" novalidate>
            <div class="field">
              <label for="totp-code">Code from the app</label>
              <input id="totp-code" name="totp-code" type="text" inputmode="numeric" autocomplete="one-time-code" spellcheck="false">
            </div>
            <div class="actions">
              <button id="totp-verify" type="submit" class="button button-primary">Verify and turn on</button>
              <button id="totp-cancel" type="button" class="button button-secondary">Cancel setup</button>
            </div>
          </form>
        </div>
      </section>
`
    : '';

/**
 * The account page. The sign-in and account views are in the markup (so labels exist before any
 * script runs); app.js wires them up and toggles `hidden`.
 */
export function renderAccountPage(config: AccountPageConfig): string {
  const pool = escapeHtml(config.userPoolId);
  const client = escapeHtml(config.userPoolClientId);
  return `${head('Your account · Latchkey')}
<script type="application/json" id="latchkey-config">${scriptSafeJson(config)}</script>
<script type="module" src="/account/app.js"></script>
</head>
<body data-state="loading">
<a class="skip-link" href="#main">Skip to content</a>
${BRAND}
<main id="main" class="page" tabindex="-1">
  <div class="card">
    <div id="status" class="message message-status" role="status" aria-live="polite"></div>
    <div id="error" class="message message-error" role="alert"></div>

    <section id="loading-view" class="view" aria-label="Loading">
      <p class="muted">Loading your account…</p>
      <noscript><p>This page needs JavaScript to sign you in and manage your passkeys.</p></noscript>
    </section>

    <section id="signin-view" class="view" aria-labelledby="signin-title" hidden>
      <h1 id="signin-title" tabindex="-1">Sign in</h1>
      <p class="muted">Sign in to manage the passkeys on your account.</p>
      <form id="signin-form" class="stack" novalidate>
        <div class="field">
          <label for="username">Username</label>
          <input id="username" name="username" type="text" autocomplete="username webauthn" autocapitalize="none"
            spellcheck="false" required>
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password">
        </div>
        <button id="signin-password" type="submit" class="button button-primary">Sign in with password</button>
        <div class="divider" aria-hidden="true"><span>or</span></div>
        <button id="signin-passkey" type="button" class="button button-secondary"
          aria-describedby="passkey-hint">Sign in with a passkey</button>
        <p id="passkey-hint" class="hint">Leave the username empty to pick any passkey saved for this site.</p>${EMAIL_CODE_BUTTON(config)}
      </form>
    </section>

    <section id="code-view" class="view" aria-labelledby="code-title" hidden>
      <h1 id="code-title" tabindex="-1">Enter your code</h1>
      <p id="code-sent" class="muted"></p>
      <form id="code-form" class="stack" novalidate>
        <div class="field">
          <label for="email-code">Code</label>
          <input id="email-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" spellcheck="false" required>
        </div>
        <div class="actions">
          <button id="code-submit" type="submit" class="button button-primary">Sign in with the code</button>
          <button id="code-cancel" type="button" class="button button-secondary">Cancel</button>
        </div>
      </form>
    </section>

    <section id="account-view" class="view" aria-labelledby="account-heading" hidden>
      <div class="account-head">
        <h1 id="account-heading" tabindex="-1">Signed in as <span id="current-username"></span></h1>
        <button id="signout" type="button" class="button button-secondary button-small">Sign out</button>
      </div>
      <div class="section-head">
        <div>
          <h2 id="passkeys-title">Passkeys</h2>
          <p class="muted">Sign in with your fingerprint, face or device screen lock instead of a password.</p>
        </div>
        <button id="add-passkey" type="button" class="button button-primary">Add a passkey</button>
      </div>
      <ul id="passkey-list" class="passkeys" aria-label="Your passkeys"></ul>
      <p id="passkeys-empty" class="empty" hidden>You have no passkeys yet. Add one to sign in without a password.</p>
      <nav id="passkey-pages" class="pager" aria-label="Passkey pages" hidden>
        <button id="page-prev" type="button" class="button button-secondary button-small">Previous page</button>
        <span id="page-label" class="muted">Page 1</span>
        <button id="page-next" type="button" class="button button-secondary button-small">Next page</button>
      </nav>
${TOTP_SECTION(config)}    </section>
  </div>
  <p class="footnote">User pool <code>${pool}</code> · app client <code>${client}</code></p>
</main>
</body>
</html>
`;
}

/** A plain error page (same styles, no script). */
export function renderErrorPage(title: string, message: string, hint?: string): string {
  return `${head(`${title} · Latchkey`)}
</head>
<body data-state="error">
${BRAND}
<main id="main" class="page">
  <div class="card">
    <h1>${escapeHtml(title)}</h1>
    <p>${escapeHtml(message)}</p>
    ${hint ? `<p class="muted">${escapeHtml(hint)}</p>` : ''}
  </div>
</main>
</body>
</html>
`;
}
