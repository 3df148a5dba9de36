/**
 * `aspen controller`: checks the flags (exit 2 on a usage error), loads the kubeconfig (in-cluster when running in a
 * pod, else `--kubeconfig`, `$KUBECONFIG` or ~/.kube/config), starts the controller app and runs until SIGINT or
 * SIGTERM (exit 0, graceful: leadership released, streams drained) or until serving fails (exit 1).
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { startController } from '../controller/app.js';
import type { ControllerApp } from '../controller/app.js';
import type { ExtensionFactory } from '../controller/extension.js';
import { createLogger, isLogLevel } from '../log.js';
import type { Logger } from '../xds/server/types.js';
import { controllerExtensions } from './controller-extensions.js';
import { resolveControllerFlags } from './controller-flags.js';
import type {
  ControllerCliOptions,
  FlagEnvironment,
  ResolvedControllerFlags,
  WebhookFlags,
} from './controller-flags.js';
import { ExitCode, type CliIO } from './io.js';
import { processRuntime } from './serve.js';

/** The process around a controller run, injectable for tests. */
export interface ControllerRuntime {
  /** Resolves with the signal name when the process must shut down. */
  shutdown: Promise<string>;
  /** Whether logs go to a terminal (pretty lines unless --log-format json). */
  stderrIsTTY: boolean;
  /** Environment and hostname the flags default from; the process's by default. */
  environment?: FlagEnvironment;
  /** Called once the app is started. */
  onStarted?: (app: ControllerApp) => void;
  /** The extensions to run, given the webhook flags; default status reporting, webhooks and dataplane TLS. */
  extensions?: (webhook: WebhookFlags) => readonly ExtensionFactory[];
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The kubeconfig: `--kubeconfig`, else in-cluster in a pod, else $KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(path: string | undefined, env: FlagEnvironment['env']): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(SERVICE_ACCOUNT_TOKEN))
    kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

function logger(flags: ControllerCliOptions, io: CliIO, runtime: ControllerRuntime): Logger {
  const pretty = flags.logFormat === undefined ? runtime.stderrIsTTY : flags.logFormat === 'pretty';
  return createLogger({
    level: isLogLevel(flags.logLevel) ? flags.logLevel : 'info',
    pretty,
    write: io.stderr,
  });
}

/** Starts the app, or logs why it could not start. */
async function start(
  flags: ControllerCliOptions,
  resolved: ResolvedControllerFlags,
  env: { log: Logger; runtime: ControllerRuntime; environment: FlagEnvironment },
): Promise<ControllerApp | undefined> {
  try {
    const kubeConfig = loadKubeConfig(flags.kubeconfig, env.environment.env);
    const extensions = env.runtime.extensions?.(resolved.webhook) ?? controllerExtensions(resolved);
    return await startController(resolved.options, {
      kubeConfig,
      logger: env.log,
      registry: new Registry(),
      extensions,
    });
  } catch (error) {
    env.log.error({ err: error }, 'aspen controller could not start');
    return undefined;
  }
}

/** Runs `aspen controller` until shutdown; returns the exit code. */
export async function runController(
  flags: ControllerCliOptions,
  io: CliIO,
  runtimeOrTest?: ControllerRuntime,
): Promise<number> {
  const environment = runtimeOrTest?.environment ?? { env: process.env, hostname: hostname() };
  const resolved = resolveControllerFlags(flags, environment);
  if (Array.isArray(resolved)) {
    for (const message of resolved) io.stderr(`aspen controller: ${message}\n`);
    return ExitCode.Usage;
  }
  const runtime: ControllerRuntime = runtimeOrTest ?? { ...processRuntime(), onStarted: undefined };
  const log = logger(flags, io, runtime);
  const app = await start(flags, resolved, { log, runtime, environment });
  if (app === undefined) return ExitCode.Problems;
  runtime.onStarted?.(app);
  const outcome = await Promise.race([
    runtime.shutdown.then((signal) => ({ signal })),
    app.fatal.then((error) => ({ error })),
  ]);
  if ('signal' in outcome) log.info({ signal: outcome.signal }, 'shutting down');
  await app.close();
  return 'error' in outcome ? ExitCode.Problems : ExitCode.Ok;
}
