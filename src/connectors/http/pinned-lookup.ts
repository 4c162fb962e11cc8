import dns from 'node:dns';
import net from 'node:net';

/**
 * The DNS half of the SSRF guard (`connectors/ssrf.ts` checks URLs; this checks where they lead). A
 * vendor-looking host may resolve to a private address — by misconfiguration, or by an attacker who
 * controls a DNS name we were handed — and our server must not carry tenants' tokens there.
 *
 * The name is resolved ONCE, every address it gives is checked, and the socket connects to the checked
 * address: this function is the socket's `lookup`, so there is no second resolution an attacker could
 * answer differently (DNS rebinding). TLS still verifies the certificate against, and sends SNI for,
 * the original host name; the Host header stays the URL's.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to its addresses. Injected in tests: these machines have no DNS. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (getaddrinfo, as Node's default `lookup`), every address at once. */
export const systemResolver: Resolver = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * Addresses a vendor API is never on: loopback, private (RFC 1918, unique-local), link-local (which
 * holds cloud metadata endpoints, 169.254.169.254), shared CGNAT space, "this network", multicast,
 * reserved and documentation ranges. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is matched as IPv4.
 */
const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');
}

/** Whether `address` (an IP literal) may be a vendor's: not loopback, private, link-local or reserved. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = net.isIP(bare);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(bare, family === 6 ? 'ipv6' : 'ipv4');
}

/** Raised (as the socket's error) when a host resolves to an address that is not public. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  /** Connection refused before anything was sent: safe to treat as "not sent". */
  readonly code = 'ESSRF';
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to ${address}, which is not a public address: refused (SSRF guard)`);
  }
}

/** The callback shapes of `net.connect`'s `lookup` option (one address, or all with `all: true`). */
type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

export interface PinnedLookupOptions {
  /** @defaultValue {@link systemResolver} */
  resolve?: Resolver;
  /** Host names exempt from the address check (hosts of VENDOR_URL_ALLOWLIST: a sandbox on 127.0.0.1). */
  exempt?: (hostname: string) => boolean;
}

/**
 * A `lookup` for `net.connect`/`tls.connect` (and so for `http.request`): resolves once through
 * `resolve`, refuses with {@link PrivateAddressError} when any address is not public (a name that
 * mixes public and private answers is refused whole: which one the socket would pick is not ours to
 * choose), and hands the socket exactly the addresses it checked.
 */
export function pinnedLookup(options: PinnedLookupOptions = {}): net.LookupFunction {
  const resolve = options.resolve ?? systemResolver;
  const lookup = (hostname: string, opts: dns.LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (found) => {
        const wanted = opts.family === 4 || opts.family === 6 ? opts.family : undefined;
        const addresses = found.filter((a) => wanted === undefined || a.family === wanted);
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        if (!options.exempt?.(hostname)) {
          const bad = addresses.find((a) => !isPublicAddress(a.address));
          if (bad) return callback(new PrivateAddressError(hostname, bad.address), '');
        }
        if (opts.all)
          return callback(
            null,
            addresses.map((a) => ({ address: a.address, family: a.family })),
          );
        return callback(null, addresses[0].address, addresses[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
  return lookup as unknown as net.LookupFunction;
}
