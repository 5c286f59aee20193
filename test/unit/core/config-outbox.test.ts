import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/index.js';
import { loadOutboxConfig, loadPaymentConfig, paymentConfigSchema } from '../../../src/config/index.js';

const feishuToken = '2f1c9a7e-0b5d-4c3e-9f8a-6d7e8f9a0b1c';
const env = {
  PAYMENT_OUTBOX_FORWARD_URL: 'https://crm.internal/payments?token=forwardtoken123',
  PAYMENT_OUTBOX_FORWARD_SECRET: 'fwd-signing-secret',
  FEISHU_WEBHOOK_URL: `https://open.feishu.cn/open-apis/bot/v2/hook/${feishuToken}`,
  FEISHU_WEBHOOK_SECRET: 'feishu-sign-secret',
};

function outboxError(values: Record<string, string>): ConfigurationError {
  try {
    loadOutboxConfig(values);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('outbox configuration keys', () => {
  it('declares the worker keys in the registry: URLs and secrets secret, retention 7 days by default', () => {
    expect(
      Object.fromEntries(
        (
          [
            'PAYMENT_OUTBOX_FORWARD_URL',
            'PAYMENT_OUTBOX_FORWARD_SECRET',
            'FEISHU_WEBHOOK_URL',
            'FEISHU_WEBHOOK_SECRET',
            'PAYMENT_OUTBOX_RETENTION_DAYS',
          ] as const
        ).map((k) => [
          k,
          [paymentConfigSchema[k].group, paymentConfigSchema[k].secret, paymentConfigSchema[k].default],
        ]),
      ),
    ).toEqual({
      PAYMENT_OUTBOX_FORWARD_URL: ['outbox', true, undefined],
      PAYMENT_OUTBOX_FORWARD_SECRET: ['outbox', true, undefined],
      FEISHU_WEBHOOK_URL: ['outbox', true, undefined],
      FEISHU_WEBHOOK_SECRET: ['outbox', true, undefined],
      PAYMENT_OUTBOX_RETENTION_DAYS: ['outbox', false, '7'],
    });
  });

  it('reads them through loadOutboxConfig and loadPaymentConfig alike', () => {
    const outbox = loadOutboxConfig({ ...env, PAYMENT_OUTBOX_RETENTION_DAYS: '30' });
    expect({ ...outbox }).toEqual({
      forwardUrl: env.PAYMENT_OUTBOX_FORWARD_URL,
      forwardSecret: env.PAYMENT_OUTBOX_FORWARD_SECRET,
      feishuWebhookUrl: env.FEISHU_WEBHOOK_URL,
      feishuSecret: env.FEISHU_WEBHOOK_SECRET,
      retentionDays: 30,
    });
    expect({ ...loadPaymentConfig(env).outbox }).toMatchObject({
      feishuWebhookUrl: env.FEISHU_WEBHOOK_URL,
      retentionDays: 7,
    });
    expect({ ...loadOutboxConfig({}) }).toEqual({
      forwardUrl: null,
      forwardSecret: null,
      feishuWebhookUrl: null,
      feishuSecret: null,
      retentionDays: 7,
    });
  });

  it('never renders a URL or secret: inspect and JSON show [redacted], the retention as is', () => {
    for (const rendered of [
      inspect(loadOutboxConfig(env), { depth: 5 }),
      JSON.stringify(loadOutboxConfig(env)),
      inspect(loadPaymentConfig(env), { depth: 5 }),
      JSON.stringify(loadPaymentConfig(env)),
    ]) {
      for (const value of [...Object.values(env), feishuToken, 'forwardtoken123', 'crm.internal']) {
        expect(rendered).not.toContain(value);
      }
      expect(rendered).toContain('[redacted]');
      expect(rendered).toMatch(/retentionDays\W+7/);
    }
  });

  it('reports every bad value at once, hiding secret values, and a secret without its URL', () => {
    const error = outboxError({
      PAYMENT_OUTBOX_FORWARD_URL: 'not a url with-a-secret-token',
      FEISHU_WEBHOOK_URL: 'ftp://open.feishu.cn/hook/abcdefgh12345678',
      PAYMENT_OUTBOX_RETENTION_DAYS: 'a week',
      FEISHU_WEBHOOK_SECRET: 'short',
    });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.issues).toEqual([
      'PAYMENT_OUTBOX_FORWARD_URL must be an absolute URL (value hidden).',
      'FEISHU_WEBHOOK_URL must be an http(s) URL (value hidden).',
      'FEISHU_WEBHOOK_SECRET must be at least 8 characters (value hidden).',
      'PAYMENT_OUTBOX_RETENTION_DAYS must be a whole number of days (0 keeps delivered rows forever).',
    ]);
    expect(error.message).not.toContain('with-a-secret-token');
    expect(error.message).not.toContain('abcdefgh12345678');
    expect(outboxError({ PAYMENT_OUTBOX_FORWARD_SECRET: 'fwd-signing-secret' }).issues).toEqual([
      'PAYMENT_OUTBOX_FORWARD_SECRET needs PAYMENT_OUTBOX_FORWARD_URL.',
    ]);
    expect(() => loadPaymentConfig({ FEISHU_WEBHOOK_URL: 'nope' })).toThrow(
      /FEISHU_WEBHOOK_URL must be an absolute URL/,
    );
  });
});
