/**
 * Feishu (Lark) custom-bot message bodies and the default renderings of payment notifications.
 * Money is shown in major units through `fromMinorUnits`, exactly, with its currency code.
 * @module
 */
import { fromMinorUnits } from '../core/money.js';
import type { PaymentNotification } from '../service/hooks.js';

/**
 * A message a Feishu custom bot accepts (without `timestamp`/`sign`, which the notifier adds).
 *
 * - `text`: plain text; `<at user_id="all">所有人</at>` mentions work inside it.
 * - `post`: rich text, `content.post` keyed by locale (`zh_cn`, `en_us`).
 * - `interactive`: a message card (`card` holds `header`, `elements`, …).
 */
export type FeishuMessage =
  | {
      /** Plain text. */
      msg_type: 'text';
      /** The text message. */
      content: {
        /** The text; `<at user_id="all">所有人</at>` mentions everyone. */
        text: string;
      };
    }
  | {
      /** Rich text. */
      msg_type: 'post';
      /** The rich-text message. */
      content: {
        /** The post, keyed by locale (`zh_cn`, `en_us`), each with a `title` and `content` lines. */
        post: Record<string, unknown>;
      };
    }
  | {
      /** A message card. */
      msg_type: 'interactive';
      /** The card (`header`, `elements`, …), as Feishu's card builder exports it. */
      card: Record<string, unknown>;
    };

/**
 * The facts of a notification as label/value lines, shared by the text and card renderings.
 * @returns A title and its lines, e.g. `['Order paid', [['Amount', '19.99 USD'], ['Order', 'o_1'], …]]`.
 */
export function describeNotification(notification: PaymentNotification): {
  /** Message title. */
  title: string;
  /** Label / value lines. */
  fields: Array<[string, string]>;
} {
  const { order, attempt } = notification;
  const fields: Array<[string, string]> = [];
  let title: string;
  switch (notification.type) {
    case 'order.paid':
      title = 'Order paid';
      fields.push(['Amount', money(order.paidAmount, order.currency)]);
      break;
    case 'order.refunded':
      title = notification.fullyRefunded ? 'Order refunded' : 'Order partially refunded';
      fields.push(['Refund', money(notification.refund.amount, notification.refund.currency)]);
      fields.push(['Paid', money(order.paidAmount, order.currency)]);
      if (notification.refund.reason) fields.push(['Reason', notification.refund.reason]);
      break;
    case 'payment.failed':
      title = 'Payment failed';
      fields.push(['Amount', money(notification.attempt.amount, notification.attempt.currency)]);
      if (notification.attempt.failureCode || notification.attempt.failureMessage) {
        fields.push([
          'Failure',
          [notification.attempt.failureCode, notification.attempt.failureMessage].filter(Boolean).join(': '),
        ]);
      }
      break;
  }
  fields.push(['Order', order.orderId], ['User', order.userId], ['Product', order.productId]);
  if (attempt) fields.push(['Provider', `${attempt.provider} (${attempt.channel})`], ['Attempt', attempt.attemptId]);
  else if (order.paymentChannel) fields.push(['Provider', order.paymentChannel]);
  fields.push(['Source', notification.source]);
  return { title, fields };
}

/**
 * Renders a notification as a Feishu `text` message. The notifier's default format.
 *
 * @example
 * ```ts
 * toFeishuText(notification).content.text
 * // 'Order paid\nAmount: 19.99 USD\nOrder: o_1\nUser: u_1\nProduct: p_1\nProvider: stripe (checkout_session)\n…'
 * ```
 */
export function toFeishuText(notification: PaymentNotification): FeishuMessage {
  const { title, fields } = describeNotification(notification);
  const text = [title, ...fields.map(([label, value]) => `${label}: ${value}`)].join('\n');
  return { msg_type: 'text', content: { text } };
}

/**
 * Renders a notification as a Feishu message card (`interactive`): a coloured header (green paid, orange
 * refunded, red failed) and one markdown line per fact.
 *
 * @example
 * ```ts
 * createFeishuNotifier({ webhookUrl, secret, format: toFeishuCard })
 * ```
 */
export function toFeishuCard(notification: PaymentNotification): FeishuMessage {
  const { title, fields } = describeNotification(notification);
  const template =
    notification.type === 'order.paid' ? 'green' : notification.type === 'order.refunded' ? 'orange' : 'red';
  return {
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true },
      header: { template, title: { tag: 'plain_text', content: title } },
      elements: [
        {
          tag: 'div',
          fields: fields.map(([label, value]) => ({
            is_short: true,
            text: { tag: 'lark_md', content: `**${label}**\n${escapeMarkdown(value)}` },
          })),
        },
      ],
    },
  };
}

function money(amount: number, currency: string): string {
  return `${fromMinorUnits(amount, currency)} ${currency}`;
}

/** Ids and reasons come from users and providers; keep them from being read as card markdown. */
function escapeMarkdown(value: string): string {
  return value.replace(/[\\*_~`[\]()<>]/g, (c) => `\\${c}`);
}
