/**
 * The workload CA persisted in a Secret (default `aspen-ca`) in aspen's namespace, so every replica and every restart
 * signs with the same root: read it; when it does not exist, generate a root and create the Secret (when another
 * replica created it first, 409, read theirs). A Secret that exists but does not hold a usable CA stops the
 * controller (fail closed: never silently replace a CA proxies trust). Key material is never logged or put in errors.
 */
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { caFromPem, caToPem } from '../ca/pem.js';
import { generateRootCa } from '../ca/root.js';
import { newCaState } from '../ca/state.js';
import type { CaSigner, CaState } from '../ca/types.js';
import type { Clock, Logger } from '../xds/server/types.js';

/** Secret key of the CA certificate chain (PEM, signing certificate first). */
export const CA_CERT_KEY = 'ca.crt';
/** Secret key of the CA private key (PKCS#8 PEM). */
export const CA_KEY_KEY = 'ca.key';
/** Label on the CA Secret. */
export const MANAGED_BY_LABEL = 'aspen.dev/managed-by';

/** What {@link loadOrCreateCa} needs. */
export interface CaSecretOptions {
  /** API access. */
  readonly kubeConfig: KubeConfig;
  /** aspen's namespace. */
  readonly namespace: string;
  /** Secret name. */
  readonly name: string;
  /** Trust domain of a generated root (and of a loaded one without a SPIFFE SAN). */
  readonly trustDomain: string;
  /** Time source. */
  readonly clock: Clock;
  /** Where what happened is logged (names only). */
  readonly logger: Logger;
}

function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function decoded(secret: V1Secret, key: string): string | undefined {
  const value = secret.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

async function readSecret(api: CoreV1Api, options: CaSecretOptions): Promise<V1Secret | undefined> {
  try {
    return await api.readNamespacedSecret({ name: options.name, namespace: options.namespace });
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    // eslint-disable-next-line preserve-caught-error -- the API error may quote the response; say only the code
    throw new Error(
      `cannot read Secret ${options.namespace}/${options.name}: HTTP ${statusCode(error) ?? 'error'}`,
    );
  }
}

async function signerFrom(secret: V1Secret, options: CaSecretOptions): Promise<CaSigner> {
  const where = `Secret ${options.namespace}/${options.name}`;
  const cert = decoded(secret, CA_CERT_KEY);
  const key = decoded(secret, CA_KEY_KEY);
  if (cert === undefined || key === undefined)
    throw new Error(
      `${where} lacks ${cert === undefined ? CA_CERT_KEY : CA_KEY_KEY}; refusing to replace an existing CA`,
    );
  const signer = await caFromPem(cert, key, { trustDomain: options.trustDomain });
  if (!signer.ok) throw new Error(`${where}: ${signer.error.message}`);
  return signer.value;
}

async function createSecret(api: CoreV1Api, options: CaSecretOptions): Promise<V1Secret | undefined> {
  const root = await generateRootCa({ trustDomain: options.trustDomain, clock: () => options.clock.now() });
  if (!root.ok) throw new Error(`cannot generate the workload CA: ${root.error.message}`);
  const pem = await caToPem(root.value);
  const body: V1Secret = {
    metadata: { name: options.name, namespace: options.namespace, labels: { [MANAGED_BY_LABEL]: 'aspen' } },
    type: 'Opaque',
    data: {
      [CA_CERT_KEY]: Buffer.from(pem.certificatePem).toString('base64'),
      [CA_KEY_KEY]: Buffer.from(pem.privateKeyPem.reveal()).toString('base64'),
    },
  };
  try {
    return await api.createNamespacedSecret({ namespace: options.namespace, body });
  } catch (error) {
    if (statusCode(error) === 409) return undefined;
    // eslint-disable-next-line preserve-caught-error -- the API error may quote the request (the key); say only the code
    throw new Error(
      `cannot create Secret ${options.namespace}/${options.name}: HTTP ${statusCode(error) ?? 'error'}`,
    );
  }
}

/** The workload CA from its Secret, created with a new root when missing; see the module comment. */
export async function loadOrCreateCa(options: CaSecretOptions): Promise<CaState> {
  const api = options.kubeConfig.makeApiClient(CoreV1Api);
  const where = { secret: `${options.namespace}/${options.name}` };
  let secret = await readSecret(api, options);
  if (secret === undefined) {
    secret = (await createSecret(api, options)) ?? (await readSecret(api, options));
    if (secret === undefined) throw new Error(`Secret ${where.secret} vanished after a create conflict`);
    options.logger.info(where, 'workload CA generated and stored');
  } else {
    options.logger.info(where, 'workload CA loaded');
  }
  return newCaState(await signerFrom(secret, options));
}
