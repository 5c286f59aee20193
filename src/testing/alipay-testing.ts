/**
 * Alipay test kit: a local Alipay gateway the real `alipay-sdk` talks to, and the notification signer.
 * @module
 */
export { generateAlipayTestKeyPair, startAlipayEmulator } from './alipay-emulator/alipay-emulator.js';
export type {
  AlipayChargeDtoPayload,
  AlipayChargeDtoRef,
  AlipayDeliveryAnswer,
  AlipayEmulator,
  AlipayEmulatorControls,
  AlipayEmulatorFailure,
  AlipayEmulatorFaultScope,
  AlipayEmulatorNotification,
  AlipayEmulatorOptions,
  AlipayEmulatorProviderOptions,
  AlipayEmulatorRefusal,
  AlipayEmulatorRequest,
  AlipayPortalRefund,
  AlipayTestKeyPair,
  AlipayTradeRef,
} from './alipay-emulator/alipay-emulator-types.js';
export type {
  AlipayEmulatorRefundMode,
  EmulatedAlipayRefund,
  EmulatedAlipayTrade,
} from './alipay-emulator/alipay-emulator-store.js';
export { signAlipayNotify, type AlipayNotifyHeaders, type SignedAlipayNotify } from './alipay-signer.js';
