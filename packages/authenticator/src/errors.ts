/**
 * WebAuthn errors are DOMExceptions identified by `name` (InvalidStateError, NotAllowedError, ...).
 */
export type WebAuthnErrorName =
  | 'InvalidStateError'
  | 'NotAllowedError'
  | 'SecurityError'
  | 'NotSupportedError'
  | 'NotFoundError'
  | 'AbortError';

/** A real `DOMException` (global since Node 17) with the given name. */
export function webauthnError(name: WebAuthnErrorName, message: string): DOMException {
  return new DOMException(message, name);
}
