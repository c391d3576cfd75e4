import { describe, expect, it } from 'vitest';
import { addressRefusal, hostOf, webhookUrlProblem } from './webhook-destination.js';

describe('webhook destinations', () => {
  it('takes absolute http(s) URLs without credentials only', () => {
    expect(webhookUrlProblem('https://hooks.example.com/orders')).toBeNull();
    expect(webhookUrlProblem('http://93.184.215.14:8080/x?y=1')).toBeNull();
    expect(webhookUrlProblem('/relative')).toMatch(/absolute/);
    expect(webhookUrlProblem('ftp://example.com/')).toMatch(/http/);
    expect(webhookUrlProblem('javascript:alert(1)')).toMatch(/http/);
    expect(webhookUrlProblem('https://u:p@example.com/')).toMatch(/credentials/);
    expect(webhookUrlProblem(`https://example.com/${'a'.repeat(2_048)}`)).toMatch(/at most/);
  });

  it('refuses every address that is not public unicast', () => {
    const refused: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['10.0.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['fe80::1', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['fd00::1', 'uniqueLocal'],
      ['fc12:3456::1', 'uniqueLocal'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.251', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['2002:7f00:1::1', '6to4'],
      ['64:ff9b::7f00:1', 'rfc6052'],
    ];
    for (const [address, range] of refused) {
      expect(addressRefusal(address), address).toBe(`${address} is a ${range} address`);
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111']) {
      expect(addressRefusal(address), address).toBeNull();
    }
    expect(addressRefusal('example.com')).toMatch(/not an IP address/);
  });

  it('reads the host of an IPv6 URL without its brackets', () => {
    expect(hostOf(new URL('http://[fd00::1]:8080/x'))).toBe('fd00::1');
    expect(hostOf(new URL('http://Example.COM/x'))).toBe('example.com');
  });
});
