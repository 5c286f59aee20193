/**
 * Ping++ test kit: a local Ping++ emulator the real `pingpp` SDK talks to, and webhook signing helpers.
 * @module
 */
export {
  startPingxxEmulator,
  type PingxxEmulator,
  type PingxxEmulatorControls,
  type PingxxEmulatorDelivery,
  type PingxxEmulatorFailure,
  type PingxxEmulatorOptions,
  type PingxxEmulatorProviderOptions,
  type PingxxEmulatorRequest,
} from './pingxx-emulator/pingxx-emulator.js';
export type { EmulatorRefundMode as PingxxEmulatorRefundMode } from './pingxx-emulator/emulator-store.js';
export {
  generatePingxxTestKeyPair,
  signPingxxWebhook,
  type PingxxTestKeyPair,
  type SignedPingxxWebhook,
} from './pingxx-signer.js';
