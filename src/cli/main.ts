/** The `aspen` command line: parses arguments and hands each command its options and I/O. Nothing else. */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, processIO, type CliIO } from './io.js';
import { runAudit, type AuditOptions } from './audit.js';
import { runRender, type RenderOptions } from './render.js';
import { runValidate } from './validate.js';

const NAMESPACE_HELP = 'namespace for objects that have none';

/** Builds the command tree; `done` receives each command's exit code. */
function program(io: CliIO, done: (code: number) => void): Command {
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

  return root;
}

/** Runs the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let code: number = ExitCode.Ok;
  const root = program(io, (c) => {
    code = c;
  });
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
