/**
 * Renders the configuration reference (`docs/configuration.md`) from the registry, so the docs can never
 * drift from the code (a test compares them).
 * @module
 */
import { paymentConfigSchema, type ConfigGroup, type ConfigKeyDefinition } from './config.js';

const TITLES: Record<ConfigGroup, string> = {
  general: 'General',
  pingxx: 'Ping++',
  stripe: 'Stripe',
  alipay: 'Alipay (native)',
  wechatpay: 'WeChat Pay (native, API v3)',
  database: 'Database',
  outbox: 'Outbox worker (`payment-factory worker`)',
};

/**
 * Returns the Markdown configuration reference: one table per group with every key's description,
 * default and whether it is secret.
 *
 * @example
 * ```ts
 * fs.writeFileSync('docs/configuration.md', generateConfigReference())
 * ```
 */
export function generateConfigReference(): string {
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from paymentConfigSchema by `npm run docs:config`. Do not edit by hand; a test keeps it in sync. -->',
    '',
    '`loadPaymentConfig(process.env)` (from `@org/payment-factory/config`, the entry that loads zod, so the package root',
    'does not) reads these keys, applies the defaults, and reports **every** problem in one',
    '`ConfigurationError` (its `issues` array), never echoing a secret value. `npx payment-factory env-example` prints a',
    '`.env.example` with all of them. A provider is enabled when it is listed in `PAYMENT_CHANNELS_ENABLED` *and* has',
    'credentials; one without credentials drops out with a warning in `config.warnings`.',
    '',
  ];
  for (const group of Object.keys(TITLES) as ConfigGroup[]) {
    out.push(`## ${TITLES[group]}`, '', '| Key | Description | Default | Secret |', '| --- | --- | --- | --- |');
    for (const [key, def] of Object.entries<ConfigKeyDefinition>(paymentConfigSchema)) {
      if (def.group !== group) continue;
      const example = def.example ? ` Example: \`${def.example}\`.` : '';
      out.push(
        `| \`${key}\` | ${def.description.replace(/\|/g, '\\|')}${example} | ${def.default ? `\`${def.default}\`` : '—'} | ${def.secret ? 'yes' : 'no'} |`,
      );
    }
    out.push('');
  }
  out.push(
    '## Rules checked across keys',
    '',
    '- Ping++ is configured when any of `PINGXX_SECRET_KEY`, `PINGXX_APP_ID`, `PINGXX_PRIVATE_KEY(_PATH)` is set; it then needs',
    '  the secret key, the app id, and a webhook public key (`PINGXX_WEBHOOK_PUBLIC_KEY` or `_PATH`): unsigned webhooks are never accepted.',
    '- `PINGXX_PRIVATE_KEY` and `PINGXX_PRIVATE_KEY_PATH` are mutually exclusive. PEM values may use `\\n` escapes.',
    '- Stripe is configured when `STRIPE_SECRET_KEY` is set; it then needs `STRIPE_WEBHOOK_SECRET` (comma-separate several during rotation).',
    '- A live secret key with a test publishable key (or the reverse) is refused.',
    '- Alipay is configured when any `ALIPAY_*` key but the gateway is set; it then needs `ALIPAY_APP_ID`, one of',
    '  `ALIPAY_APP_PRIVATE_KEY(_PATH)`, one of `ALIPAY_PUBLIC_KEY(_PATH)` (unsigned notifications are never accepted) and',
    '  `ALIPAY_WEBHOOK_URL`, the notify URL (never taken from a request).',
    '- WeChat Pay is configured when any `WECHATPAY_*` key but the base URL is set; it then needs `WECHATPAY_APP_ID`,',
    '  `WECHATPAY_MCH_ID`, `WECHATPAY_API_V3_KEY`, `WECHATPAY_MERCHANT_SERIAL_NO`, one of `WECHATPAY_PRIVATE_KEY(_PATH)`, a',
    '  verification key — `WECHATPAY_PUBLIC_KEY(_PATH)` with `WECHATPAY_PUBLIC_KEY_ID`, or `WECHATPAY_PLATFORM_CERT(_PATH)`, or',
    "  both during WeChat Pay's migration — and `WECHATPAY_WEBHOOK_URL`, the notify URL (never taken from a request).",
    '- `PAYMENT_OUTBOX_FORWARD_SECRET` needs `PAYMENT_OUTBOX_FORWARD_URL`, `FEISHU_WEBHOOK_SECRET` needs `FEISHU_WEBHOOK_URL`.',
    '  Without `--module`, `payment-factory worker` needs at least one of the two URLs (it has no consumer otherwise);',
    '  `loadOutboxConfig(env)` reads just these keys.',
    '',
  );
  return out.join('\n');
}
