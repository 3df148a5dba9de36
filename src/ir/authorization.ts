/** IR of authorization. */

/** Authorization on one port: a matching Deny rule always wins; else a matching Allow; else `defaultAction`. */
export interface AuthorizationIR {
  /** What happens to a request no rule matches. */
  defaultAction: 'Allow' | 'Deny';
  /** Rules of every policy, sorted by `id`. Rules are ORed. */
  rules: RuleIR[];
}

/** One rule: applies when every listed condition of `from` and of `to` matches (AND across kinds, OR within). */
export interface RuleIR {
  /** Unique id: `<namespace>/<policy>/<rule>`; appears in logs and metrics. */
  id: string;
  /** Allow or Deny. */
  action: 'Allow' | 'Deny';
  /** Peer conditions; an absent field is not checked, an empty list matches no request. */
  from: {
    /**
     * Peer SPIFFE IDs (namespaces become prefixes `spiffe://<td>/ns/<ns>/sa/`; a rule naming both principals and
     * namespaces gets their intersection, empty when they do not overlap).
     */
    principals?: StringMatchIR[];
    /** CIDR blocks of the direct peer address. */
    ipBlocks?: string[];
    /** Verified JWT claims; every entry must hold. */
    jwtClaims?: { name: string; values: string[] }[];
    /** API-key client names. */
    apiKeyClients?: string[];
  };
  /** Request conditions; an absent field is not checked. */
  to: {
    /** HTTP methods. */
    methods?: string[];
    /** Paths, after normalisation. */
    paths?: StringMatchIR[];
  };
}

/** An exact or prefix string match (`/orders/*` → prefix `/orders/`; `spiffe://…/sa/*` → prefix). */
export type StringMatchIR = { exact: string } | { prefix: string };
