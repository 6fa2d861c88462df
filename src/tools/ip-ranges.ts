/**
 * Which IP addresses `http_fetch` must not reach unless private access is allowed: everything that
 * is not a public unicast address, including IPv6 forms that embed such an IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** [first octets, prefix length, reason] of IPv4 ranges that are not public. */
const IPV4_BLOCKED: ReadonlyArray<readonly [number[], number, string]> = [
  [[0], 8, 'an unspecified ("this network") address'],
  [[10], 8, 'a private address'],
  [[100, 64], 10, 'a carrier-grade NAT address'],
  [[127], 8, 'a loopback address'],
  [[169, 254], 16, 'a link-local address (cloud metadata lives here)'],
  [[172, 16], 12, 'a private address'],
  [[192, 0, 0], 24, 'an IETF protocol address'],
  [[192, 0, 2], 24, 'a documentation address'],
  [[192, 168], 16, 'a private address'],
  [[198, 18], 15, 'a benchmarking address'],
  [[198, 51, 100], 24, 'a documentation address'],
  [[203, 0, 113], 24, 'a documentation address'],
  [[224], 4, 'a multicast address'],
  [[240], 4, 'a reserved or broadcast address'],
];

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function matchesPrefix(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function checkIPv4(bytes: readonly number[]): string | undefined {
  for (const [prefix, bits, reason] of IPV4_BLOCKED) {
    if (matchesPrefix(bytes, prefix, bits)) return reason;
  }
  return undefined;
}

/** Parses a textual IPv6 address (with an optional trailing dotted IPv4 part) into 16 bytes. */
function ipv6Bytes(ip: string): number[] {
  let text = ip.split('%')[0] ?? '';
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (isIPv4(last)) {
    tail.push(...ipv4Bytes(last));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<string>(fill).fill('0'), ...restGroups].map((g) =>
    Number.parseInt(g, 16),
  );
  const bytes = groups.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function checkIPv6(bytes: readonly number[]): string | undefined {
  const allZero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (allZero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) {
    const embedded = checkIPv4(bytes.slice(12));
    return embedded === undefined ? undefined : `an IPv4-mapped form of ${embedded}`;
  }
  if (allZero(0, 15) && bytes[15] === 1) return 'a loopback address';
  if (allZero(0, 12)) return 'an unspecified or IPv4-compatible address';
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that a gateway would reach.
  if (matchesPrefix(bytes, [0x00, 0x64, 0xff, 0x9b], 96)) {
    const embedded = checkIPv4(bytes.slice(12));
    return embedded === undefined ? undefined : `a NAT64 form of ${embedded}`;
  }
  if (matchesPrefix(bytes, [0x20, 0x02], 16)) {
    const embedded = checkIPv4(bytes.slice(2, 6));
    return embedded === undefined ? undefined : `a 6to4 form of ${embedded}`;
  }
  if (matchesPrefix(bytes, [0xfe, 0x80], 10)) return 'a link-local address';
  if (matchesPrefix(bytes, [0xfe, 0xc0], 10)) return 'a site-local address';
  if (matchesPrefix(bytes, [0xfc], 7)) return 'a unique-local (private) address';
  if (matchesPrefix(bytes, [0xff], 8)) return 'a multicast address';
  if (matchesPrefix(bytes, [0x20, 0x01, 0x0d, 0xb8], 32)) return 'a documentation address';
  return undefined;
}

/**
 * Why `ip` is not a public unicast address (e.g. "a loopback address"), or undefined when it is.
 * Strings that are not IP addresses are reported as such, so they are never treated as public.
 */
export function nonPublicReason(ip: string): string | undefined {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (isIPv4(bare)) return checkIPv4(ipv4Bytes(bare));
  if (isIPv6(bare)) return checkIPv6(ipv6Bytes(bare));
  return 'not an IP address';
}
