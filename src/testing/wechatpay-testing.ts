/**
 * WeChat Pay test kit: a local WeChat Pay API v3 the real adapter talks to, and the notification signer.
 * @module
 */
export { startWechatPayEmulator } from './wechatpay-emulator/wechatpay-emulator.js';
export type {
  WechatPayEmulator,
  WechatPayEmulatorControls,
  WechatPayEmulatorFailure,
  WechatPayEmulatorNotification,
  WechatPayEmulatorOptions,
  WechatPayEmulatorProviderOptions,
  WechatPayEmulatorRequest,
  WechatPayEmulatorSigner,
  WechatPayOrderRef,
  WechatPayDtoRef,
  WechatPayDtoPayloadRef,
} from './wechatpay-emulator/wechatpay-emulator-types.js';
export type { EmulatedWechatPayOrder, EmulatedWechatPayRefund } from './wechatpay-emulator/wechatpay-emulator-store.js';
export {
  generateWechatPayTestKeyPair,
  signWechatPayNotification,
  type WechatPayTestKeyPair,
  type SignedWechatPayNotification,
  type WechatPayNotificationInput,
  type WechatPayNotificationKeys,
} from './wechatpay-signer.js';
