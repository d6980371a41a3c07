import { request } from 'node:https';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Addresses a trigger call may not reach unless the operator allows it (LATCHKEY_TRIGGER_ALLOW_PRIVATE). */
const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const)
  NON_PUBLIC.addSubnet(net, bits, 'ipv6');

/** Whether `ip` is private, link-local, loopback, unspecified, multicast or reserved (IPv4-mapped IPv6 by its IPv4). */
export function isNonPublicAddress(ip: string): boolean {
  // IPv4-mapped IPv6 (::ffff:a.b.c.d or ::ffff:xxxx:yyyy) is judged by its IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return NON_PUBLIC.check(mapped[1]!, 'ipv4');
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return NON_PUBLIC.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  const family = isIP(ip);
  if (family === 0) return true;
  return NON_PUBLIC.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** Thrown (as a request error) when a trigger host is or resolves to a non-public address. */
export class NonPublicAddressError extends Error {
  readonly code = 'ENONPUBLIC';
  constructor() {
    super('the trigger host resolves to a non-public address');
  }
}

/**
 * dns.lookup that fails when any address of the name is non-public. The socket connects to the address this returned,
 * so what was checked is what is reached (a second, different DNS answer cannot slip in between).
 */
function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    if (addresses.length === 0 || addresses.some((a) => isNonPublicAddress(a.address))) return callback(new NonPublicAddressError(), '');
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/** A timeout of a guarded call (named as fetch's, so callers treat both alike). */
class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * POSTs `body` to an https:// URL; unless `allowNonPublic`, refuses hosts that are or resolve to non-public addresses
 * (NonPublicAddressError) before connecting. Redirects are not followed; at most `maxBytes` of the answer are read
 * (past them: an error, or with `truncate` the status with no text, the rest dropped unread).
 * @throws NonPublicAddressError | TimeoutError | a network error | Error('trigger response too large')
 */
export function postHttps(
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; maxBytes: number; allowNonPublic: boolean; truncate?: boolean },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is connected to without a lookup: check it here.
    if (!opts.allowNonPublic && isIP(host) !== 0 && isNonPublicAddress(host)) return reject(new NonPublicAddressError());
    const req = request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(opts.allowNonPublic ? {} : { lookup: publicOnlyLookup }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= opts.maxBytes) chunks.push(c);
          else if (!opts.truncate) req.destroy(new Error('trigger response too large'));
          else {
            // The caller needs only the status: answer with it and drop the rest unread.
            resolve({ status: res.statusCode ?? 0, text: '' });
            req.destroy();
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new TimeoutError('trigger call timed out')), opts.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
