/**
 * The outbox worker's configuration keys (`payment-factory worker`): where notifications go when no host module
 * names consumers, and how long delivered rows are kept. Kept beside `config.ts`, which spreads them into the one
 * registry; `loadOutboxConfig` reads just these, so a worker with `--module` is not stopped by a provider key it
 * does not use.
 * @module
 */
import { z } from 'zod';
import type { ConfigKeyDefinition } from './config.js';
import { ConfigurationError } from './errors.js';
import { REDACTED, registerSecrets, sealObject } from './secret-scrubber.js';

/** The names of the outbox keys. */
export type OutboxConfigKey =
  | 'PAYMENT_OUTBOX_FORWARD_URL'
  | 'PAYMENT_OUTBOX_FORWARD_SECRET'
  | 'FEISHU_WEBHOOK_URL'
  | 'FEISHU_WEBHOOK_SECRET'
  | 'PAYMENT_OUTBOX_RETENTION_DAYS';

const httpUrl = z
  .string()
  .trim()
  .url('must be an absolute URL')
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');
const secretText = z.string().trim().min(8, 'must be at least 8 characters');

/** The outbox keys, in `.env.example` order. */
export const OUTBOX_CONFIG_KEYS: Readonly<Record<OutboxConfigKey, ConfigKeyDefinition>> = {
  PAYMENT_OUTBOX_FORWARD_URL: {
    group: 'outbox',
    description:
      'POST every notification to this http(s) URL (HTTP forwarder; idempotency-key header = the outbox key). Treated as a secret: it may carry a token.',
    secret: true,
    schema: httpUrl,
  },
  PAYMENT_OUTBOX_FORWARD_SECRET: {
    group: 'outbox',
    description:
      'Signs the forwarded notifications (x-payment-outbox-signature, HMAC-SHA256); at least 8 characters. Needs PAYMENT_OUTBOX_FORWARD_URL.',
    secret: true,
    schema: secretText,
  },
  FEISHU_WEBHOOK_URL: {
    group: 'outbox',
    description:
      'Send paid and refunded orders to this Feishu (Lark) bot webhook URL. Secret: its last path segment is the bot token.',
    secret: true,
    schema: httpUrl,
  },
  FEISHU_WEBHOOK_SECRET: {
    group: 'outbox',
    description: 'The Feishu bot\'s "signature verification" secret; at least 8 characters. Needs FEISHU_WEBHOOK_URL.',
    secret: true,
    schema: secretText,
  },
  PAYMENT_OUTBOX_RETENTION_DAYS: {
    group: 'outbox',
    description:
      'Delivered outbox rows older than this many days are pruned (hourly, in batches of 500; also `payment-factory outbox-prune`). 0 keeps them forever. Dead rows are never pruned.',
    secret: false,
    default: '7',
    schema: z.string().regex(/^\d{1,5}$/, 'must be a whole number of days (0 keeps delivered rows forever)'),
  },
};

/** The outbox worker's settings. URLs and secrets render as `[redacted]` when inspected or serialised. */
export interface OutboxConfig {
  /** `PAYMENT_OUTBOX_FORWARD_URL`, or `null`. */
  forwardUrl: string | null;
  /** `PAYMENT_OUTBOX_FORWARD_SECRET`, or `null`. */
  forwardSecret: string | null;
  /** `FEISHU_WEBHOOK_URL`, or `null`. */
  feishuWebhookUrl: string | null;
  /** `FEISHU_WEBHOOK_SECRET`, or `null`. */
  feishuSecret: string | null;
  /** `PAYMENT_OUTBOX_RETENTION_DAYS`: delivered rows are kept this many days; 0 keeps them forever. */
  retentionDays: number;
}

type OutboxValues = Partial<Record<OutboxConfigKey, string | undefined>>;

/** Builds the outbox settings from validated values, adding the cross-key problems to `issues`. */
export function outboxFrom(values: OutboxValues, issues: string[]): OutboxConfig {
  for (const [secret, url] of [
    ['PAYMENT_OUTBOX_FORWARD_SECRET', 'PAYMENT_OUTBOX_FORWARD_URL'],
    ['FEISHU_WEBHOOK_SECRET', 'FEISHU_WEBHOOK_URL'],
  ] as const) {
    if (values[secret] !== undefined && values[url] === undefined) issues.push(`${secret} needs ${url}.`);
  }
  registerSecrets(urlTokens(values.PAYMENT_OUTBOX_FORWARD_URL, values.FEISHU_WEBHOOK_URL));
  const config: OutboxConfig = {
    forwardUrl: values.PAYMENT_OUTBOX_FORWARD_URL ?? null,
    forwardSecret: values.PAYMENT_OUTBOX_FORWARD_SECRET ?? null,
    feishuWebhookUrl: values.FEISHU_WEBHOOK_URL ?? null,
    feishuSecret: values.FEISHU_WEBHOOK_SECRET ?? null,
    retentionDays: Number(values.PAYMENT_OUTBOX_RETENTION_DAYS ?? '7'),
  };
  return sealObject(config, () => redactedOutbox(config));
}

/** The settings as they may be shown: every URL and secret `[redacted]`, the retention as is. */
export function redactedOutbox(config: OutboxConfig): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, key === 'retentionDays' || value === null ? value : REDACTED]),
  );
}

/**
 * Reads and validates only the outbox keys (`PAYMENT_OUTBOX_*`, `FEISHU_WEBHOOK_*`), reporting every problem in one
 * `ConfigurationError` without echoing a value. `loadPaymentConfig` reads them too (`config.outbox`); this is for
 * a process that needs nothing else, like `payment-factory worker --module`.
 *
 * @example
 * ```ts
 * const { forwardUrl, retentionDays } = loadOutboxConfig(process.env);
 * ```
 * @throws ConfigurationError `INVALID_CONFIG` listing all problems.
 */
export function loadOutboxConfig(env: Record<string, string | undefined> = process.env): OutboxConfig {
  const issues: string[] = [];
  const values: OutboxValues = {};
  registerSecrets(Object.keys(OUTBOX_CONFIG_KEYS).map((key) => env[key]));
  for (const [key, def] of Object.entries(OUTBOX_CONFIG_KEYS) as [OutboxConfigKey, ConfigKeyDefinition][]) {
    const raw = env[key]?.trim();
    const value = raw ? raw : def.default;
    if (value === undefined) continue;
    const parsed = def.schema.safeParse(value);
    if (parsed.success) values[key] = parsed.data.trim();
    else
      issues.push(`${key} ${parsed.error.issues[0]?.message ?? 'is invalid'}${def.secret ? ' (value hidden)' : ''}.`);
  }
  const config = outboxFrom(values, issues);
  if (issues.length > 0) {
    throw new ConfigurationError(`Invalid outbox configuration: ${issues.join(' ')}`, {
      code: 'INVALID_CONFIG',
      issues,
    });
  }
  return config;
}

/**
 * The parts of the URLs that carry a credential, for the scrubber: the Feishu URL's last path segment (the bot
 * token) and both URLs' query values. Not a forward URL's path: a word like `notifications` is no secret, and
 * scrubbing it would mangle ordinary text.
 */
function urlTokens(forwardUrl: string | undefined, feishuUrl: string | undefined): string[] {
  const tokens: string[] = [];
  for (const [raw, pathIsToken] of [
    [forwardUrl, false],
    [feishuUrl, true],
  ] as const) {
    if (raw === undefined) continue;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue; // not a URL: its key already reported it
    }
    const last = url.pathname.split('/').filter(Boolean).pop();
    if (pathIsToken && last) tokens.push(last);
    for (const value of url.searchParams.values()) tokens.push(value);
  }
  return tokens;
}
