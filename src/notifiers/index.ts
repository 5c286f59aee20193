/**
 * Notifiers: ready-made after-commit hooks that tell people about payments (a Feishu / Lark group bot).
 * They use the global `fetch` only, so importing them loads no SDK.
 * @module
 */
export { createFeishuNotifier } from './feishu-notifier.js';
export type { FeishuNotifier, FeishuNotifierOptions } from './feishu-notifier.js';
export { describeNotification, toFeishuCard, toFeishuText } from './feishu-message.js';
export type { FeishuMessage } from './feishu-message.js';
export { signFeishuRequest } from './feishu-sign.js';
