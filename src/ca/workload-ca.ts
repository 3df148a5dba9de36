/**
 * `WorkloadCa`: the stateful edge around the pure CA functions, for the xDS/SDS server and the controller. It holds
 * the current {@link CaState} and the injected clock; every method delegates to a pure function and swaps the state.
 */
import { issueFor } from './issue.js';
import type { SvidRequest } from './issue.js';
import { caFromPem, caToPem } from './pem.js';
import type { CaPem } from './pem.js';
import { generateRootCa } from './root.js';
import { newCaState, pruneBundle, rotateRoot, stageRoot, trustBundle } from './state.js';
import { DEFAULT_TRUST_DOMAIN, ok } from './types.js';
import type { AuthenticatedIdentity, CaResult, CaSigner, CaState, Clock, IssuedSvid } from './types.js';

/** Settings shared by the {@link WorkloadCa} factories. */
export interface WorkloadCaOptions {
  /** Source of time for issuing, rotation and pruning. */
  readonly clock: Clock;
  /** Trust domain; default `cluster.local` (taken from the certificate when loading PEM). */
  readonly trustDomain?: string;
  /** SVID lifetime in milliseconds; default 24 hours. */
  readonly svidTtlMs?: number;
}

/** A workload CA holding its state; see `state.ts` for the rotation rule. */
export class WorkloadCa {
  #state: CaState;
  readonly #clock: Clock;

  /** Wraps an existing state. */
  constructor(state: CaState, clock: Clock) {
    this.#state = state;
    this.#clock = clock;
  }

  /** A CA with a freshly generated self-signed root. */
  static async generate(options: WorkloadCaOptions): Promise<CaResult<WorkloadCa>> {
    const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    const root = await generateRootCa({ trustDomain, clock: options.clock });
    if (!root.ok) return root;
    return ok(new WorkloadCa(newCaState(root.value, options), options.clock));
  }

  /** A CA loaded from stored or user-supplied PEM (see {@link caFromPem}). */
  static async fromPem(
    certPem: string,
    keyPem: string,
    options: WorkloadCaOptions,
  ): Promise<CaResult<WorkloadCa>> {
    const signer = await caFromPem(certPem, keyPem, options);
    if (!signer.ok) return signer;
    return ok(new WorkloadCa(newCaState(signer.value, options), options.clock));
  }

  /** The current state (plain data). */
  get state(): CaState {
    return this.#state;
  }

  /** Issues an SVID for the caller's own identity; refuses any other identity. */
  async issueFor(caller: AuthenticatedIdentity, requested: SvidRequest): Promise<CaResult<IssuedSvid>> {
    return issueFor(this.#state, caller, requested, { clock: this.#clock });
  }

  /** PEM of every root trusted now. */
  trustBundle(): string {
    return trustBundle(this.#state, this.#clock);
  }

  /** Trusts the root of `next` ahead of {@link WorkloadCa.rotateRoot}, so the bundle reaches proxies first. */
  stageRoot(next: CaSigner): CaResult<CaState> {
    const staged = stageRoot(this.#state, next);
    if (staged.ok) this.#state = staged.value;
    return staged;
  }

  /** Switches signing to `next`, keeping the old root trusted for the overlap. */
  rotateRoot(next: CaSigner): CaResult<CaState> {
    const rotated = rotateRoot(this.#state, next, this.#clock);
    if (rotated.ok) this.#state = rotated.value;
    return rotated;
  }

  /** Drops retired roots whose overlap has ended; returns true when the bundle changed. */
  pruneBundle(): boolean {
    const before = this.#state;
    this.#state = pruneBundle(before, this.#clock);
    return this.#state !== before;
  }

  /** The active signer as PEM, for persisting in a Secret. */
  async toPem(): Promise<CaPem> {
    return caToPem(this.#state.active);
  }
}
