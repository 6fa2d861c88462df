import { describe, expect, it } from 'vitest';
import { nonPublicReason } from '../../src/tools/ip-ranges.js';

describe('nonPublicReason', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '0.0.0.0',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.254',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a00:1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'ff02::1',
    'example.com',
  ])('refuses %s', (ip) => {
    expect(nonPublicReason(ip)).toBeDefined();
  });

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '93.184.216.34',
    '2606:4700:4700::1111',
    '::ffff:1.1.1.1',
    '64:ff9b::808:808',
    '2002:808:808::',
  ])('allows public %s', (ip) => {
    expect(nonPublicReason(ip)).toBeUndefined();
  });

  it('names the reason for the metadata address', () => {
    expect(nonPublicReason('169.254.169.254')).toMatch(/link-local/);
    expect(nonPublicReason('::ffff:10.1.2.3')).toMatch(/IPv4-mapped form of a private address/);
  });
});
