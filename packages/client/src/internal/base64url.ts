/** base64url ⇄ bytes, as Amplify's converters: decoding is forgiving (padding optional, `+/` accepted). */

export function base64UrlToArrayBuffer(input: string): ArrayBuffer {
  const binary = atob(input.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** Bytes → base64url without padding. */
export function arrayBufferToBase64Url(input: ArrayBuffer | ArrayBufferView): string {
  const bytes = ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
