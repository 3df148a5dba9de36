/**
 * Types of the injector: the pod as it arrives in an AdmissionReview (Kubernetes JSON, typed with client-node's
 * model shapes), what the injector is asked, and what it answers.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { JsonPatchOperation } from './json-patch.js';
import type { InjectionSettings } from './settings.js';

/** A pod as JSON (the client-node model types describe its shape; timestamps stay strings on the wire). */
export type Pod = V1Pod;

/** A pod after injection, and anything to tell the user. */
export interface InjectedPod {
  /** The mutated pod. */
  readonly pod: Pod;
  /** Admission warnings. */
  readonly warnings: readonly string[];
}

/** Builds the proxyless mutation of a pod (default: src/webhook/inject/proxyless.ts); returns the changed pod. */
export type ProxylessHook = (
  pod: Pod,
  context: { readonly namespace: string; readonly settings: InjectionSettings },
) => Pod;

/** What the injector is asked about one pod. */
export interface InjectionRequest {
  /** The pod being created. */
  readonly pod: Pod;
  /** The namespace of the request (the pod's `metadata.namespace` may be empty on create). */
  readonly namespace: string;
  /** Labels of that namespace. */
  readonly namespaceLabels: Readonly<Record<string, string>>;
}

/** The injector's answer. */
export type InjectionResult =
  | {
      /** The pod is admitted; `patch` is empty when nothing changes. */
      readonly allowed: true;
      /** RFC 6902 operations turning the input pod into `pod`. */
      readonly patch: readonly JsonPatchOperation[];
      /** The pod after the patch. */
      readonly pod: Pod;
      /** Admission warnings. */
      readonly warnings: readonly string[];
      /** Why nothing was injected, when nothing was. */
      readonly skipped?: string;
    }
  | {
      /** The pod is refused (a malformed aspen annotation): security settings are never guessed. */
      readonly allowed: false;
      /** What is wrong, naming the annotation. */
      readonly message: string;
    };
