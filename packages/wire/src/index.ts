/** @latchkey/wire: the executable half of docs/wire-contract.md, shared by server, client, authenticator and bench. */
export { SRP_N_HEX, SRP_N, SRP_G, SRP_N_BYTES, SRP_K_INPUT_HEX, SRP_HKDF_INFO, pad, srpHkdfInfo } from './srp.js';
export { formatSrpTimestamp, parseSrpTimestamp } from './srpTimestamp.js';
export { encodeBase64url, decodeBase64urlStrict, decodeBase64urlLenient, Base64urlError, type Base64urlFault } from './base64url.js';
export { TARGET_PREFIX, COGNITO_ERROR_TYPES, isCognitoErrorType, type CognitoErrorType } from './targets.js';
export { AUTH_SESSION_MINUTES } from './session.js';
