/** The `aspen` command line: parses arguments and hands each command its options and I/O. Nothing else. */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, processIO, type CliIO } from './io.js';
import { runAudit, type AuditOptions } from './audit.js';
import { BOOTSTRAP_DEFAULTS, runBootstrap, type BootstrapCliOptions } from './bootstrap.js';
import { runRender, type RenderOptions } from './render.js';
import type { ServeCliOptions, ServeRuntime } from './serve.js';
import { CONTROLLER_DEFAULTS, type ControllerCliOptions } from './controller-flags.js';
import type { DataplaneCliOptions } from './dataplane.js';
import type { StatusCliOptions } from './status.js';
import { runValidate } from './validate.js';

const NAMESPACE_HELP = 'namespace for objects that have none';

/** `aspen dataplane` flag defaults (contracts.md; kept here so --help needs no heavy import). */
const DATAPLANE_FLAG_DEFAULTS = {
  listen: '0.0.0.0:15020',
  metricsListen: '0.0.0.0:9091',
  healthListen: '0.0.0.0:8082',
  tlsDir: '/etc/aspen/dataplane-tls',
  rateLimitBackend: 'memory',
  redisTimeoutMs: '50',
  trustDomain: 'cluster.local',
  secretResyncMs: '30000',
  logLevel: 'info',
  logFormat: 'json',
} as const;

/** Builds the command tree; `done` receives each command's exit code. */
function program(io: CliIO, done: (code: number) => void, runtime?: ServeRuntime): Command {
  const root = new Command('aspen')
    .description('API security for Kubernetes, enforced by Envoy.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  root
    .command('validate')
    .description('check ApiSecurityPolicies in YAML files offline; one line per problem on stderr')
    .argument('<path...>', 'files or directories (read recursively), or - for standard input')
    .option('-n, --namespace <ns>', NAMESPACE_HELP, 'default')
    .addHelpText(
      'after',
      '\nExit status: 0 valid, 1 problems found, 2 usage error.\n' +
        'Output: <file>:<line>: <Kind> <namespace>/<name>: <field.path>: <message>\n\n' +
        'Examples:\n  aspen validate examples/\n  helm template charts/app | aspen validate -\n',
    )
    .action(async (paths: string[], options: { namespace: string }) => {
      done(await runValidate(paths, options, io));
    });

  root
    .command('audit')
    .description('report security findings (with severity, rule id and fix) for manifests, offline')
    .argument('<path...>', 'files or directories (read recursively), or - for standard input')
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding is at or above: info|low|medium|high|critical',
      'high',
    )
    .addOption(
      new Option('-o, --output <format>', 'table or json (default: table on a terminal, json otherwise)'),
    )
    .option('-n, --namespace <ns>', NAMESPACE_HELP, 'default')
    .option('--trust-domain <domain>', 'SPIFFE trust domain of workload identities', 'cluster.local')
    .addHelpText(
      'after',
      '\nExit status: 0 no finding at or above --fail-on, 1 findings (or unreadable input), 2 usage error.\n\n' +
        'Examples:\n  aspen audit examples/ --fail-on high\n  aspen audit gitops/ -o json > findings.json\n',
    )
    .action(async (paths: string[], options: AuditOptions) => {
      done(await runAudit(paths, options, io));
    });

  root
    .command('render')
    .description(
      "print the Envoy resources (xDS, proto3 canonical JSON) each workload's sidecar would receive",
    )
    .argument('<path...>', 'files or directories (read recursively), or - for standard input')
    .option('--workload <ns/name>', 'only this workload')
    .option('-o, --output <format>', 'json or yaml', 'json')
    .option('-n, --namespace <ns>', NAMESPACE_HELP, 'default')
    .option('--trust-domain <domain>', 'SPIFFE trust domain of workload identities', 'cluster.local')
    .option(
      '--dataplane-address <host:port>',
      "aspen's per-request services (default aspen-dataplane.aspen-system.svc:15020)",
    )
    .addHelpText(
      'after',
      '\nExit status: 0 rendered, 1 unreadable input (nothing rendered), 2 usage error (or unknown --workload).\n' +
        'Output: {"workloads":[{"workload":"<ns>/<name>","identity":"spiffe://…","resources":{"<typeUrl>":[…]}}]}\n' +
        'Private keys are never printed: certificates are referenced by SDS name only.\n\n' +
        'Examples:\n  aspen render examples/ --workload shop/orders -o yaml\n',
    )
    .action(async (paths: string[], options: RenderOptions) => {
      done(await runRender(paths, options, io));
    });

  root
    .command('bootstrap')
    .description(
      "print the Envoy bootstrap of a workload's sidecar (ADS over TLS, ServiceAccount token auth)",
    )
    .requiredOption('--workload <ns/name>', 'the workload the sidecar belongs to')
    .option('--pod <name>', 'pod name for node.id (default: the $POD_NAME placeholder)')
    .option('--xds-address <host:port>', "aspen's xDS address", BOOTSTRAP_DEFAULTS.xdsAddress)
    .option(
      '--xds-auth <method>',
      'token (ServiceAccount token, in a cluster) or none (aspen serve)',
      BOOTSTRAP_DEFAULTS.xdsAuth,
    )
    .option('--xds-insecure', 'plaintext to a loopback aspen serve --xds-insecure (with --xds-auth none)')
    .option(
      '--trust-bundle <file>',
      'trust bundle PEM path inside the sidecar',
      BOOTSTRAP_DEFAULTS.trustBundle,
    )
    .option('--token-path <file>', 'projected ServiceAccount token path', BOOTSTRAP_DEFAULTS.tokenPath)
    .option('-o, --output <format>', 'json or yaml', 'json')
    .option(
      '--proxyless',
      'the gRPC xDS bootstrap of a proxyless gRPC workload (aspen.dev/proxyless) instead',
    )
    .option('--service-account <name>', 'proxyless: the workload service account (its SPIFFE ID)', 'default')
    .option('--cert-dir <dir>', 'proxyless: certificate directory in the pod (default /var/run/aspen/grpc)')
    .option('--out-dir <dir>', 'proxyless: write bootstrap.json, cert.pem, key.pem, ca.pem here')
    .option('--ca-cert <pem>', 'proxyless: workload CA certificate (PEM) issuing the certificate files')
    .option('--ca-key <pem>', 'proxyless: workload CA key (PEM), with --ca-cert')
    .option('--trust-domain <domain>', 'proxyless: SPIFFE trust domain of the CA', 'cluster.local')
    .option('--refresh', 'proxyless: keep renewing the certificate files until SIGINT/SIGTERM')
    .addHelpText(
      'after',
      '\nExit status: 0 printed (or written), 1 certificates could not be issued, 2 usage error.\n' +
        'No key material on stdout: Envoy gets certificates over SDS; proxyless gRPC reads key.pem (mode 0600).\n\n' +
        'Examples:\n  aspen bootstrap --workload shop/orders --pod orders-7d9f\n' +
        '  aspen bootstrap --proxyless --workload shop/orders --service-account orders \\\n' +
        '    --xds-address 127.0.0.1:18000 --xds-insecure --out-dir /tmp/orders --ca-cert ca.pem --ca-key ca-key.pem\n',
    )
    .action(async (options: BootstrapCliOptions) => {
      done(await runBootstrap(options, io));
    });

  addServe(root, io, done, runtime);
  addController(root, io, done);
  addDataplane(root, io, done, runtime);
  addStatus(root, io, done);
  return root;
}

/** `aspen dataplane` (flags as in the Helm chart's contract); its module is loaded only when it runs. */
function addDataplane(root: Command, io: CliIO, done: (code: number) => void, runtime?: ServeRuntime): void {
  const d = DATAPLANE_FLAG_DEFAULTS;
  root
    .command('dataplane')
    .description('per-request services for sidecars (API-key check, global rate limits, audit log) over mTLS')
    .option('--listen <host:port>', 'gRPC address (mTLS, callers need a workload certificate)', d.listen)
    .option('--metrics-listen <host:port>', 'Prometheus /metrics address', d.metricsListen)
    .option('--health-listen <host:port>', '/healthz and /readyz address', d.healthListen)
    .option('--tls-dir <dir>', 'tls.crt, tls.key and ca.crt (re-read every minute)', d.tlsDir)
    .option(
      '--rate-limit-backend <memory|redis>',
      'where global rate-limit counters live',
      d.rateLimitBackend,
    )
    .option('--redis-address <host:port>', 'Redis, with --rate-limit-backend redis')
    .option('--redis-password-file <path>', 'file holding the Redis AUTH password')
    .option('--redis-username <name>', 'Redis ACL user name')
    .option('--redis-tls', 'TLS to Redis')
    .option('--redis-ca-file <pem>', 'extra CA certificates for Redis TLS')
    .option(
      '--redis-timeout-ms <ms>',
      'Redis command timeout; then the limit fails open or closed',
      d.redisTimeoutMs,
    )
    .option('--kubeconfig <path>', 'default: in-cluster config, else $KUBECONFIG / ~/.kube/config')
    .option('--trust-domain <domain>', 'SPIFFE trust domain of callers', d.trustDomain)
    .option('--secret-resync-ms <ms>', 'how often referenced Secrets are re-read', d.secretResyncMs)
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', d.logLevel)
    .option('--log-format <json|pretty>', 'log format', d.logFormat)
    .addHelpText(
      'after',
      '\nRuns until SIGINT or SIGTERM (exit 0). Exit status 2: usage error; 1: could not start.\n\n' +
        'Examples:\n  aspen dataplane --tls-dir /etc/aspen/dataplane-tls\n' +
        '  aspen dataplane --rate-limit-backend redis --redis-address redis:6379 --redis-password-file /run/redis/pw\n',
    )
    .action(async (options: DataplaneCliOptions) => {
      const { runDataplane } = await import('./dataplane.js');
      done(await runDataplane(options, io, runtime));
    });
}

/** `aspen status`: its module is loaded only when it runs. */
function addStatus(root: Command, io: CliIO, done: (code: number) => void): void {
  root
    .command('status')
    .description(
      'what is enforced where: one line per policy (mode, conditions, workloads, proxies, last NACK)',
    )
    .option('--serve <host:port>', "a running aspen serve's loopback admin endpoint instead of the cluster")
    .option('--kubeconfig <path>', 'default: in-cluster config, else $KUBECONFIG / ~/.kube/config')
    .option('-n, --namespace <ns>', 'only policies of this namespace (default: all)')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      '\nExit status: 0 every policy programmed, 1 some policy is not (or the source is unreachable), 2 usage error.\n\n' +
        'Examples:\n  aspen status\n  aspen status --serve 127.0.0.1:15030 -o json\n',
    )
    .action(async (options: StatusCliOptions) => {
      const { runStatus } = await import('./status.js');
      done(await runStatus(options, io));
    });
}

/** `aspen serve`: its module (pino, grpc-js, prom-client) is loaded only when it runs. */
function addServe(root: Command, io: CliIO, done: (code: number) => void, runtime?: ServeRuntime): void {
  root
    .command('serve')
    .description(
      'standalone control plane: serve xDS to Envoy sidecars from a directory of manifests, watched',
    )
    .requiredOption('--dir <path>', 'directory of manifests (read recursively, rebuilt on change)')
    .option('--xds-listen <host:port>', 'xDS (ADS) gRPC address (default 127.0.0.1:15010)')
    .option('--xds-insecure', 'plaintext xDS, development only; refuses non-loopback addresses')
    .option(
      '--xds-dns-name <name>',
      'DNS SAN of the xDS serving certificate, repeatable (default localhost, aspen.aspen-system.svc)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--ca-cert <pem>', 'workload CA certificate (PEM); default: a CA generated at start-up')
    .option('--ca-key <pem>', 'workload CA private key (PEM), with --ca-cert')
    .option('--trust-bundle-out <file>', 'write the trust bundle (PEM) here at start-up')
    .option(
      '--supported-envoy <range>',
      'Envoy major.minor range; proxies outside it are a warning and a metric label',
      '1.36-1.40',
    )
    .option('--health-listen <host:port>', '/healthz and /readyz address', '127.0.0.1:8081')
    .option('--metrics-listen <host:port>', 'Prometheus /metrics address', '127.0.0.1:9090')
    .option('--trust-domain <domain>', 'SPIFFE trust domain of workload identities', 'cluster.local')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'info')
    .option('-n, --namespace <ns>', NAMESPACE_HELP, 'default')
    .option(
      '--dataplane-listen <host:port|off>',
      'API-key check, rate limits, access log (mTLS; default 127.0.0.1:15020)',
    )
    .option(
      '--admin-listen <host:port|off>',
      'loopback-only GET /status for aspen status --serve (default 127.0.0.1:15030)',
    )
    .addHelpText(
      'after',
      '\nRuns until SIGINT or SIGTERM (exit 0). Exit status 2: usage error; 1: serving failed.\n' +
        'Logs: JSON on stderr (one line per record on a terminal).\n\n' +
        'Examples:\n  aspen serve --dir examples/ --trust-bundle-out /tmp/aspen-bundle.pem\n' +
        '  aspen serve --dir gitops/ --ca-cert ca.pem --ca-key ca-key.pem --xds-listen 0.0.0.0:15010\n' +
        '  aspen serve --dir gitops/ --xds-listen 127.0.0.1:18000 --xds-insecure --log-level debug\n',
    )
    .action(async (options: ServeCliOptions) => {
      const { runServe } = await import('./serve.js');
      done(await runServe(options, io, runtime));
    });
}

/** `aspen controller`: flags in contracts.md; logic in controller.ts (loaded only when it runs). */
function addController(root: Command, io: CliIO, done: (code: number) => void): void {
  const d = CONTROLLER_DEFAULTS;
  root
    .command('controller')
    .description(
      'in-cluster control plane: watch policies and workloads, serve xDS to sidecars, write status',
    )
    .option('--kubeconfig <path>', 'kubeconfig (default: in-cluster, else $KUBECONFIG or ~/.kube/config)')
    .option('--namespace <ns>', "aspen's namespace (default $POD_NAMESPACE, else aspen-system)")
    .option('--trust-domain <td>', 'SPIFFE trust domain', d.trustDomain)
    .option('--xds-listen <addr>', 'xDS/SDS gRPC address (TLS from the workload CA)', d.xdsListen)
    .option('--webhook-listen <addr>', 'admission webhook address', d.webhookListen)
    .option(
      '--webhook-cert-source <self|external>',
      'webhook certificate: self-managed or from --webhook-cert-dir',
      d.webhookCertSource,
    )
    .option('--webhook-cert-dir <dir>', 'tls.crt, tls.key, ca.crt for --webhook-cert-source external')
    .option(
      '--webhook-extra-dns-names <names>',
      'more DNS names of the self-managed webhook certificate (a,b)',
    )
    .option('--proxy-image <image>', 'Envoy image of injected pods', d.proxyImage)
    .option(
      '--redirect-image <image>',
      'image of the injected traffic redirect (sh, iptables)',
      d.redirectImage,
    )
    .option('--aspen-image <image>', "aspen's image, run by proxyless gRPC pods' agent", d.aspenImage)
    .option(
      '--injection-xds-address <host:port>',
      'xDS address for injected proxies (default aspen.<ns>.svc:15010)',
    )
    .option(
      '--injection-excluded-namespaces <ns,...>',
      'namespaces never injected (besides kube-system, aspen)',
    )
    .option('--metrics-listen <addr>', 'Prometheus /metrics address', d.metricsListen)
    .option('--health-listen <addr>', '/healthz and /readyz address', d.healthListen)
    .option('--leader-elect', 'campaign for the aspen-leader Lease (default)', true)
    .option('--no-leader-elect', 'never lead: serve xDS only, write no status')
    .option('--lease-duration <d>', 'leader Lease duration', d.leaseDuration)
    .option('--renew-deadline <d>', 'leader renew deadline', d.renewDeadline)
    .option('--retry-period <d>', 'leader retry period', d.retryPeriod)
    .option('--replica-id <id>', 'replica identity (default $POD_NAME, else the hostname)')
    .option('--ca-secret <name>', "Secret holding the workload CA in aspen's namespace", d.caSecret)
    .option(
      '--dataplane-address <host:port>',
      'aspen dataplane (default aspen-dataplane.<namespace>.svc:15020)',
    )
    .option('--supported-envoy <range>', 'Envoy major.minor range; others are a warning', d.supportedEnvoy)
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', d.logLevel)
    .option('--log-format <json|pretty>', 'log format (default: pretty on a terminal, else json)')
    .addHelpText(
      'after',
      '\nRuns until SIGINT or SIGTERM (exit 0). Exit status 2: usage error; 1: starting or serving failed.\n\n' +
        'Example:\n  aspen controller --kubeconfig ~/.kube/config --namespace aspen-system\n',
    )
    .action(async (options: ControllerCliOptions) => {
      const { runController } = await import('./controller.js');
      done(await runController(options, io));
    });
}

/** Runs the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[], io: CliIO = processIO(), runtime?: ServeRuntime): Promise<number> {
  let code: number = ExitCode.Ok;
  const root = program(
    io,
    (c) => {
      code = c;
    },
    runtime,
  );
  try {
    await root.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other parse error is a usage error.
      const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
      return ok || error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    throw error;
  }
  return code;
}
