import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook } from './webhook-signature.js';

describe('webhook signatures', () => {
  it('makes whsec_ secrets of 32 random bytes, never the same twice', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('signs as the standardwebhooks package does, one signature per secret', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const now = new Date();
    const seconds = Math.floor(now.getTime() / 1000);
    const body = '{"type":"order.created","data":{"é":"ü"}}';
    expect(signWebhook([a], id, seconds, body)).toBe(new Webhook(a).sign(id, now, body));
    const both = signWebhook([a, b], id, seconds, body);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(seconds),
      'webhook-signature': both,
    };
    expect(both.split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(b).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});
