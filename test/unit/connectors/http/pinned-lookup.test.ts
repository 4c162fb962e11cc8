import { type LookupAddress } from 'node:dns';
import {
  PrivateAddressError,
  type ResolvedAddress,
  type Resolver,
  isPublicAddress,
  pinnedLookup,
} from '../../../../src/connectors/http/pinned-lookup';

/**
 * The DNS half of the SSRF guard, with an injected resolver (these machines have no DNS): a
 * vendor-looking name that resolves to a private address is refused, and the socket is handed exactly
 * the addresses that were checked.
 */

/** A resolver answering from a table, counting its calls. */
function tableResolver(table: Record<string, readonly ResolvedAddress[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const found = table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };
  return Object.assign(resolve, { calls });
}

type Answer = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };

function lookup(
  fn: ReturnType<typeof pinnedLookup>,
  hostname: string,
  options: { all?: boolean; family?: number } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    (fn as unknown as (h: string, o: object, cb: (...a: unknown[]) => void) => void)(
      hostname,
      options,
      (err, address, family) =>
        resolve({
          err: err as NodeJS.ErrnoException | null,
          address: address as Answer['address'],
          family: family as number | undefined,
        }),
    );
  });
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

/** Addresses a vendor-looking name must never lead to (part of the permanent SSRF table). */
const PRIVATE_ANSWERS: readonly ResolvedAddress[] = [
  v4('127.0.0.1'),
  v4('127.53.0.1'),
  v4('10.1.2.3'),
  v4('172.16.0.1'),
  v4('172.31.255.254'),
  v4('192.168.1.1'),
  v4('169.254.169.254'),
  v4('100.64.0.1'),
  v4('0.0.0.0'),
  v4('224.0.0.1'),
  v4('255.255.255.255'),
  v6('::1'),
  v6('::'),
  v6('::ffff:127.0.0.1'),
  v6('::ffff:169.254.169.254'),
  v6('fd00::1'),
  v6('fe80::1'),
  v6('ff02::1'),
];

describe('isPublicAddress', () => {
  it.each(PRIVATE_ANSWERS.map((a) => a.address))('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['13.110.1.1', '104.18.2.3', '172.32.0.1', '2606:4700::1'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('is false for what is not an IP literal', () => {
    expect(isPublicAddress('acme.my.salesforce.com')).toBe(false);
  });
});

describe('pinnedLookup', () => {
  it.each(PRIVATE_ANSWERS)('refuses a vendor-looking host resolving to $address', async (answer) => {
    const resolve = tableResolver({ 'acme.my.salesforce.com': [answer] });
    const res = await lookup(pinnedLookup({ resolve }), 'acme.my.salesforce.com', { all: true });
    expect(res.err).toBeInstanceOf(PrivateAddressError);
    expect(res.err?.message).toContain(`acme.my.salesforce.com resolves to ${answer.address}`);
  });

  it('refuses a name whose answers mix public and private addresses', async () => {
    const resolve = tableResolver({ 'acme.my.salesforce.com': [v4('13.110.1.1'), v4('10.0.0.7')] });
    const res = await lookup(pinnedLookup({ resolve }), 'acme.my.salesforce.com', { all: true });
    expect(res.err).toBeInstanceOf(PrivateAddressError);
  });

  it('hands the socket exactly the checked addresses, resolving once', async () => {
    const resolve = tableResolver({ 'acme.my.salesforce.com': [v4('13.110.1.1'), v6('2606:4700::1')] });
    const fn = pinnedLookup({ resolve });
    const all = await lookup(fn, 'acme.my.salesforce.com', { all: true });
    expect(all.err).toBeNull();
    expect(all.address).toEqual([
      { address: '13.110.1.1', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ]);
    const one = await lookup(fn, 'acme.my.salesforce.com', { family: 6 });
    expect(one).toEqual({ err: null, address: '2606:4700::1', family: 6 });
    expect(resolve.calls).toEqual(['acme.my.salesforce.com', 'acme.my.salesforce.com']);
  });

  it('exempts allowlisted hosts (a sandbox on loopback)', async () => {
    const resolve = tableResolver({ 'sandbox.test': [v4('127.0.0.1')] });
    const res = await lookup(pinnedLookup({ resolve, exempt: (h) => h === 'sandbox.test' }), 'sandbox.test');
    expect(res).toEqual({ err: null, address: '127.0.0.1', family: 4 });
  });

  it('passes a resolver failure on as the socket error', async () => {
    const res = await lookup(pinnedLookup({ resolve: tableResolver({}) }), 'nowhere.example');
    expect(res.err?.code).toBe('ENOTFOUND');
  });
});
