import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/**
 * Where webhooks may go (SSRF): `https` only, and never to an address of the deployment's own
 * networks (private, loopback, link-local, unique-local, …), unless the deployment allows a
 * range. Development (`npm start`, tests) may allow plain `http` to localhost.
 */
export interface WebhookTargetPolicy {
  /** Plain `http` to `localhost`, `127.0.0.1` or `[::1]` (development only). */
  readonly allowHttpLocalhost: boolean;
  /** CIDR ranges a target may resolve into although they are not public. */
  readonly allowedRanges: readonly string[];
}

export type TargetCheck =
  | { readonly ok: true; readonly address: string; readonly family: 4 | 6 }
  | { readonly ok: false; readonly reason: string };

/** Resolves a host name to all its addresses. */
export type Resolve = (host: string) => Promise<readonly { address: string; family: number }[]>;

const resolveAll: Resolve = (host) => lookup(host, { all: true, verbatim: true });

/** Ranges that are not the public internet, with the word a refusal names them by. */
const LOOPBACK = 'a loopback address';

const NOT_PUBLIC: readonly (readonly [string, number, 'ipv4' | 'ipv6', string])[] = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'ipv4', LOOPBACK],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['::1', 128, 'ipv6', LOOPBACK],
  ['fc00::', 7, 'ipv6', 'a unique-local address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  ['64:ff9b:1::', 48, 'ipv6', 'a local NAT64 address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
];

const notPublic = NOT_PUBLIC.map(([network, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, kind };
});

function parseRange(spec: string): { network: string; prefix: number; family: 4 | 6 } | null {
  const [network = '', bits, ...rest] = spec.trim().split('/');
  const version = isIP(network);
  if (version === 0 || rest.length > 0) return null;
  const family = version === 4 ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  if (bits === undefined) return { network, prefix: max, family };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return null;
  return { network, prefix: Number(bits), family };
}

/** `PRAXISFLOW_WEBHOOKS_ALLOWED_RANGES`: CIDR ranges, comma-separated. */
export const allowedRangesSchema = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((spec) => spec.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine((spec) => parseRange(spec) !== null, {
        error: 'each range must be an address or a CIDR range like 10.20.0.0/16 or fd00::/8',
      }),
    ),
  );

/** `PRAXISFLOW_WEBHOOKS_ALLOW_HTTP_LOCALHOST`. */
export const allowHttpLocalhostSchema = z
  .enum(['true', 'false'])
  .default('false')
  .transform((value) => value === 'true');

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is checked as the IPv4 address. */
function unmapped(address: string): { address: string; family: 4 | 6 } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 4 };
  return { address, family: isIP(address) === 4 ? 4 : 6 };
}

/** Why `address` is refused, or undefined when it may be called. */
function refusalOf(raw: string, allowed: BlockList, loopbackAllowed: boolean): string | undefined {
  const { address, family } = unmapped(raw);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (allowed.check(address, type) || allowed.check(raw, 'ipv6')) return undefined;
  const hit = notPublic.find(({ list }) => list.check(address, type));
  if (!hit || (loopbackAllowed && hit.kind === LOOPBACK)) return undefined;
  return `${raw} is ${hit.kind}`;
}

const LOCALHOST_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Checks a webhook URL against the policy: its form, its scheme, every address it resolves to. */
export class WebhookTargets {
  private readonly allowed = new BlockList();

  constructor(
    readonly policy: WebhookTargetPolicy,
    private readonly resolve: Resolve = resolveAll,
  ) {
    for (const spec of policy.allowedRanges) {
      const range = parseRange(spec);
      if (range) {
        this.allowed.addSubnet(range.network, range.prefix, range.family === 4 ? 'ipv4' : 'ipv6');
      }
    }
  }

  /** The URL's form and scheme alone (no resolving): why it is refused, or undefined. */
  refusalOfUrl(raw: string): string | undefined {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'not an absolute URL';
    }
    if (url.username || url.password) return 'a URL must not carry credentials';
    if (url.hash) return 'a URL must not have a fragment';
    if (url.protocol === 'https:') return undefined;
    if (url.protocol !== 'http:')
      return `the scheme ${url.protocol.slice(0, -1)} is not allowed: use https`;
    if (!this.policy.allowHttpLocalhost) return 'plain http is not allowed: use https';
    if (!LOCALHOST_NAMES.has(url.hostname)) {
      return 'plain http is allowed only to localhost (development): use https';
    }
    return undefined;
  }

  /**
   * Resolves the URL's host now and checks every address: one address the policy refuses
   * refuses the target (an attacker's name may answer with a public and a private one). The
   * answer names the address to connect to, so that what was checked is what is called.
   */
  async check(raw: string): Promise<TargetCheck> {
    const refused = this.refusalOfUrl(raw);
    if (refused) return { ok: false, reason: refused };
    const url = new URL(raw);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // Plain http passed the form check only to localhost in development: its loopback is meant.
    const loopbackAllowed = url.protocol === 'http:';
    let addresses: readonly { address: string; family: number }[];
    if (isIP(host) !== 0) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      try {
        addresses = await this.resolve(host);
      } catch {
        return { ok: false, reason: `the host ${host} does not resolve` };
      }
      if (addresses.length === 0) return { ok: false, reason: `the host ${host} does not resolve` };
    }
    for (const { address } of addresses) {
      const reason = refusalOf(address, this.allowed, loopbackAllowed);
      if (reason) {
        return {
          ok: false,
          reason: `${reason}; not allowed as a webhook target (SSRF protection)`,
        };
      }
    }
    const first = addresses[0]!;
    return { ok: true, address: first.address, family: first.family === 4 ? 4 : 6 };
  }
}
