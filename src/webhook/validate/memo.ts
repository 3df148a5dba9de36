/**
 * `validatePolicy` remembered per object and namespace (ADR 0032). The validating webhook hands it to the translator,
 * so the policy under review is validated once (not again inside `translate`), and the other policies of its
 * neighbourhood once per snapshot object rather than on every review. Sound because validation is a pure function
 * of the object and the namespace, snapshot objects are never changed in place (a change is a new object), and
 * nothing downstream changes a validation result.
 */
import type { PolicyValidation, ValidateOptions } from '../../translate/validate/index.js';
import { validatePolicy } from '../../translate/validate/index.js';

/** Validation results by object identity, then namespace; entries go when their object is collected. */
export class ValidationMemo {
  private readonly results = new WeakMap<object, Map<string | undefined, PolicyValidation>>();

  /** `validatePolicy(object, options)`, computed once per object and namespace. */
  readonly validate = (object: Record<string, unknown>, options: ValidateOptions): PolicyValidation => {
    let byNamespace = this.results.get(object);
    if (byNamespace === undefined) {
      byNamespace = new Map();
      this.results.set(object, byNamespace);
    }
    let result = byNamespace.get(options.namespace);
    if (result === undefined) {
      result = validatePolicy(object, options);
      byNamespace.set(options.namespace, result);
    }
    return result;
  };
}
