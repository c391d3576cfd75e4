import ipaddr from 'ipaddr.js';

/** Longest endpoint URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2_048;

/**
 * Why `raw` cannot be an endpoint URL (null when it can): an absolute http(s) URL, without
 * credentials (they would end up in logs and listings).
 */
export function webhookUrlProblem(raw: string): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    return `must be at most ${String(MAX_WEBHOOK_URL_LENGTH)} characters`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  return null;
}

/** The host of a URL without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Why sending to this address is refused (null: it is a public unicast address). Only what
 * ipaddr.js classes as ordinary `unicast` passes: loopback, private, link-local (and so the
 * 169.254.169.254 metadata service), carrier-grade NAT, unique-local, multicast, reserved and
 * the IPv6 ranges that embed an IPv4 address (mapped, 6to4, Teredo, NAT64) are all refused.
 */
export function addressRefusal(address: string): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  // process() turns an IPv4-mapped IPv6 address into the IPv4 one it stands for.
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? null : `${address} is a ${range} address`;
}
