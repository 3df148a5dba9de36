// Shared pieces of the webhook tests: injection settings with a fixed trust bundle.
import { injectionSettings } from '../../src/webhook/inject/settings.js';
import type { InjectionSettings } from '../../src/webhook/inject/settings.js';

/** A stand-in trust bundle (the injector copies it, never parses it). */
export const TEST_TRUST_BUNDLE =
  '-----BEGIN CERTIFICATE-----\nMIIBdGVzdCB0cnVzdCBidW5kbGU=\n-----END CERTIFICATE-----\n';

/** Settings of the golden cases: defaults, aspen in `aspen-system`, the test bundle. */
export function testSettings(overrides: Partial<InjectionSettings> = {}): InjectionSettings {
  return injectionSettings({ trustBundlePem: TEST_TRUST_BUNDLE, ...overrides });
}
