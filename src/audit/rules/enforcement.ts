/** Rules about settings that are accepted but not enforced. */
import { type AuditRule, eachPolicy, policyObject } from '../rule.js';

/**
 * ASP013: `mode: Audit` decides and logs but never blocks, so the selected workloads are as open as without the
 * policy. Right while rolling a policy out; a risk when forgotten. Medium.
 */
export const auditMode: AuditRule = {
  id: 'ASP013',
  severity: 'medium',
  title: 'Audit mode left on: nothing is blocked',
  check: (input) =>
    eachPolicy(input, (p) =>
      p.spec.mode === 'Audit'
        ? [
            {
              object: policyObject(p),
              field: 'spec.mode',
              message: 'mode is Audit: requests the policy would deny are logged but never blocked',
              hint: 'once the access logs show no unexpected would-deny decisions, set spec.mode to Enforce (the default)',
            },
          ]
        : [],
    ),
};

/**
 * ASP014: `requestValidation.openapi` is accepted but not enforced by this release; requests that do not match the
 * OpenAPI document reach the application. Info, so nobody relies on it unknowingly.
 */
export const openapiNotEnforced: AuditRule = {
  id: 'ASP014',
  severity: 'info',
  title: 'requestValidation.openapi is not enforced yet',
  check: (input) =>
    eachPolicy(input, (p) =>
      p.spec.requestValidation?.openapi === undefined
        ? []
        : [
            {
              object: policyObject(p),
              field: 'spec.requestValidation.openapi',
              message:
                'requestValidation.openapi is accepted but not enforced yet: requests are not checked against it',
              hint: 'keep validating requests in the application, and use allowedMethods, allowedContentTypes and maxBodyBytes meanwhile',
            },
          ],
    ),
};
