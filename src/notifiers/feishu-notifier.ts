/**
 * `createFeishuNotifier`: an after-commit hook that tells a Feishu (Lark) group about payments through a
 * custom bot. It runs after the payment is committed, so it can only report: every failure (network, a
 * timeout, a non-2xx answer, a Feishu error code) goes to the logger and never reaches the payment.
 * @module
 */
import type { PaymentLogger, PaymentNotification } from '../service/hooks.js';
import { toFeishuText, type FeishuMessage } from './feishu-message.js';
import { signFeishuRequest } from './feishu-sign.js';
import { requireWebCrypto } from '../core/web-crypto.js';
import { PaymentError } from '../core/errors.js';

/** Options of {@link createFeishuNotifier}. */
export interface FeishuNotifierOptions {
  /**
   * The bot's webhook address, `https://open.feishu.cn/open-apis/bot/v2/hook/<token>` (Lark:
   * `https://open.larksuite.com/…`). The token is a credential: it is never logged.
   */
  webhookUrl: string;
  /** The secret of the bot's "signature verification" setting; adds `timestamp` and `sign` to every message. */
  secret?: string;
  /** Abort the request after this many milliseconds. The webhook answer waits for the hook, so keep it short. @default 5000 */
  timeoutMs?: number;
  /** Where failures (and, at debug level, deliveries) are reported. @default console */
  logger?: PaymentLogger;
  /** Which notifications to send. @default ['order.paid'] */
  types?: ReadonlyArray<PaymentNotification['type']>;
  /**
   * Builds the message: a string (sent as `text`), a full {@link FeishuMessage} (e.g. {@link toFeishuCard}),
   * or `null` to skip this notification. Runs before any network call; a throw is reported like a failed send.
   * @default toFeishuText
   */
  format?: (notification: PaymentNotification) => FeishuMessage | string | null;
  /** Clock for the signature timestamp. @default () => new Date() */
  now?: () => Date;
  /**
   * What a failed send does besides the log line: `'log'` resolves (an after-commit hook that must not
   * fail), `'throw'` also rejects with a retryable `PaymentError` `NOTIFICATION_FAILED` (details: `reason`,
   * `status`), so an outbox dispatcher retries the notification with backoff (see docs/outbox.md).
   * @default 'log'
   */
  failures?: 'log' | 'throw';
}

/** The hook returned by {@link createFeishuNotifier}: resolves once the message is delivered or the failure logged. */
export type FeishuNotifier = (notification: PaymentNotification) => Promise<void>;

/**
 * Creates an after-commit hook that posts payment notifications to a Feishu custom bot.
 *
 * Feishu answers HTTP 200 even when it refuses a message (bad signature, keyword missing, rate limit), with
 * a non-zero `code` in the JSON body; both that and a non-2xx status count as failures. The hook never
 * throws and never logs the secret or the webhook token — only the bot's host.
 *
 * @example
 * ```ts
 * const service = createPaymentService({
 *   factory,
 *   repositories,
 *   hooks: {
 *     afterCommit: createFeishuNotifier({
 *       webhookUrl: process.env.FEISHU_WEBHOOK_URL!,
 *       secret: process.env.FEISHU_WEBHOOK_SECRET,
 *       types: ['order.paid', 'order.refunded'],
 *       logger,
 *     }),
 *   },
 * })
 * ```
 */
export function createFeishuNotifier(options: FeishuNotifierOptions): FeishuNotifier {
  const { webhookUrl, secret } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const logger = options.logger ?? console;
  const types = new Set(options.types ?? ['order.paid']);
  const format = options.format ?? toFeishuText;
  const now = options.now ?? (() => new Date());
  const { target, redact } = credentialGuard(webhookUrl, secret);
  // Signing needs Web Crypto; a runtime without it fails here, not silently at every notification.
  if (secret !== undefined) requireWebCrypto('subtle', 'createFeishuNotifier');

  const report = (reason: string, notification: PaymentNotification, extra: Record<string, unknown> = {}): void => {
    logger.error('feishu notification failed', {
      reason,
      target,
      type: notification.type,
      orderId: notification.order.orderId,
      ...extra,
    });
    if (options.failures === 'throw') {
      const status = typeof extra['status'] === 'number' ? { status: extra['status'] } : {};
      throw new PaymentError(`The Feishu bot at ${target} did not take the notification (${reason}).`, {
        code: 'NOTIFICATION_FAILED',
        retryable: true,
        details: { reason, ...status },
      });
    }
  };

  return async (notification) => {
    if (!types.has(notification.type)) return;
    let body: string;
    try {
      const formatted = format(notification);
      if (formatted === null) return;
      const message: FeishuMessage =
        typeof formatted === 'string' ? { msg_type: 'text', content: { text: formatted } } : formatted;
      body = JSON.stringify(secret === undefined ? message : { ...(await signature(secret, now())), ...message });
    } catch (error) {
      report('format_failed', notification, { error: scrub(error, redact) });
      return;
    }

    let response: Response;
    let text: string;
    try {
      response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Read the whole body under the same timeout: it carries Feishu's verdict, and it frees the socket.
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      report(
        timedOut ? 'timeout' : 'network_error',
        notification,
        timedOut ? { timeoutMs } : { error: scrub(error, redact) },
      );
      return;
    }

    if (!response.ok) {
      report('http_status', notification, { status: response.status });
      return;
    }
    const verdict = feishuCode(text);
    if (verdict && verdict.code !== 0) {
      report('feishu_error', notification, { status: response.status, code: verdict.code, msg: verdict.msg });
      return;
    }
    logger.debug?.('feishu notification sent', {
      target,
      type: notification.type,
      orderId: notification.order.orderId,
    });
  };
}

async function signature(secret: string, at: Date): Promise<{ timestamp: string; sign: string }> {
  const timestamp = Math.floor(at.getTime() / 1000);
  // Feishu's own samples send the timestamp as a string; it accepts both.
  return { timestamp: String(timestamp), sign: await signFeishuRequest(timestamp, secret) };
}

/**
 * Feishu's answer code: `code` in the current API (`{ code: 0, msg: 'success', data: {} }`), `StatusCode`
 * in the legacy one. `null` when the body is not JSON or carries neither.
 */
function feishuCode(text: string): { code: number; msg: string | null } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  const code =
    typeof record.code === 'number' ? record.code : typeof record.StatusCode === 'number' ? record.StatusCode : null;
  if (code === null) return null;
  const msg =
    typeof record.msg === 'string'
      ? record.msg
      : typeof record.StatusMessage === 'string'
        ? record.StatusMessage
        : null;
  return { code, msg };
}

/**
 * Parses the webhook URL once: the host is what logs may show (the path of a Feishu webhook URL is the
 * bot's token), and `redact` cuts the URL, its path, the bare token and the secret out of any text.
 */
function credentialGuard(
  webhookUrl: string,
  secret: string | undefined,
): { target: string; redact: (text: string) => string } {
  let target = '(invalid url)';
  const needles: string[] = [webhookUrl];
  try {
    const url = new URL(webhookUrl);
    target = url.host;
    const token = url.pathname.split('/').filter(Boolean).at(-1);
    // Longest first, so the whole path is cut before the token inside it.
    needles.push(url.pathname, ...(token && token.length >= 8 ? [token] : []));
  } catch {
    // Not a URL: only the string itself can be cut out.
  }
  if (secret !== undefined) needles.push(secret);
  const cut = needles.filter((needle) => needle.length > 1);
  const redact = (text: string): string => cut.reduce((out, needle) => out.split(needle).join('[redacted]'), text);
  return { target, redact };
}

/** An error as loggable fields, with the credentials cut out of its text. */
function scrub(error: unknown, redact: (text: string) => string): { name: string; message: string; cause?: string } {
  if (!(error instanceof Error)) return { name: 'Error', message: redact(String(error)) };
  const cause = error.cause instanceof Error ? redact(`${error.cause.name}: ${error.cause.message}`) : undefined;
  return { name: error.name, message: redact(error.message), ...(cause === undefined ? {} : { cause }) };
}
