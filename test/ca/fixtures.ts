// Shared helpers for the CA tests: fixed clocks, a generated root, and certificate parsing.
import { generateRootCa } from '../../src/ca/root.js';
import { newCaState } from '../../src/ca/state.js';
import type { CaResult, CaSigner, CaState, Clock } from '../../src/ca/types.js';
import { X509Certificate } from '../../src/ca/x509.js';

export const T0 = new Date('2026-06-01T12:00:00.000Z');
export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

/** A clock fixed at `T0 + offsetMs`. */
export function at(offsetMs: number): Clock {
  const fixed = new Date(T0.getTime() + offsetMs);
  return () => fixed;
}

/** Unwraps a result, failing the test with the error message otherwise. */
export function unwrap<T>(result: CaResult<T>): T {
  if (!result.ok) throw new Error(`unexpected CA error ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A root generated at `T0 + offsetMs`. */
export async function root(
  offsetMs = 0,
  validityMs = 365 * DAY,
  trustDomain = 'cluster.local',
): Promise<CaSigner> {
  return unwrap(await generateRootCa({ trustDomain, clock: at(offsetMs), validityMs }));
}

/** A CA state with a fresh root generated at `T0`. */
export async function caState(validityMs?: number): Promise<CaState> {
  return newCaState(await root(0, validityMs));
}

/** The certificates of a PEM chain, leaf first. */
export function parseChain(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block),
  );
}

/** The first certificate of a PEM chain. */
export function leafOf(pem: string): X509Certificate {
  const [leaf] = parseChain(pem);
  if (leaf === undefined) throw new Error('no certificate in PEM');
  return leaf;
}
