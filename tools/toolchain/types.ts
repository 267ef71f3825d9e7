/** The shapes `ensureToolchain()` returns and records in `.toolchain/toolchain.json`, and what its parts share. */

export type CliName = 'terraform' | 'tofu';

/**
 * Where the providers come from. 'registry': the real hashicorp/null and hashicorp/external, installed by the CLI
 * the way the user's own setup does (the public registry, or the mirror the user's CLI configuration names).
 * 'stand-in': schema-compatible builds of tools/<name>-provider in a project-local mirror, because that was not
 * reachable.
 */
export type ProviderSource = 'registry' | 'stand-in';

export interface ToolchainCli {
  /** Absolute path of the executable. */
  readonly binary: string;
  readonly binaryName: CliName;
  /** e.g. `1.11.4`. */
  readonly version: string;
  /** Where it came from: the TERRAFORM_BINARY_NAME variable, PATH, or built from source into `.toolchain/bin`. */
  readonly origin: 'TERRAFORM_BINARY_NAME' | 'PATH' | 'built';
  /** Environment to run this CLI with (merge over process.env). */
  readonly env: Readonly<Record<string, string>>;
  /** Size and mtime of the binary when its version was read: the version is re-read only when these change. */
  readonly fingerprint: string;
}

export interface ToolchainProviders {
  readonly source: ProviderSource;
  /** What the reachability check found, or why it was skipped: one line. */
  readonly reason: string;
  /** The user's CLI configuration the check ran with (TF_CLI_CONFIG_FILE, or ~/.terraformrc), or '' for none. */
  readonly userCliConfigFile: string;
  /** Digest of what the decision depends on (the user's CLI configuration, the CLIs): reused while it matches. */
  readonly decidedBy: string;
}

export interface ToolchainProvider {
  readonly version: string;
  readonly mode: ProviderSource;
  /** Stand-ins only: the project-local mirror and the binary in it. */
  readonly mirror?: string;
  readonly binary?: string;
  /** Stand-ins only: sha256 of the provider source, the Go version and the build recipe. */
  readonly buildHash?: string;
}

export interface Toolchain {
  readonly schemaVersion: number;
  /** The primary CLI (the first of `clis`). */
  readonly binary: string;
  readonly binaryName: CliName;
  readonly version: string;
  /** `.toolchain/terraformrc` for the stand-ins; for the registry, the user's TF_CLI_CONFIG_FILE (possibly ''). */
  readonly cliConfigFile: string;
  readonly env: Readonly<Record<string, string>>;
  /** Every CLI to run end-to-end tests against: the primary first. */
  readonly clis: readonly ToolchainCli[];
  /** Which providers the CLIs install, and why. */
  readonly providers: ToolchainProviders;
  readonly nullProvider: ToolchainProvider;
  /** hashicorp/external, which the opt-in drift check's data source needs; same source as the null provider. */
  readonly externalProvider: ToolchainProvider;
  /** Shared by every `init` run with `env` (TF_PLUGIN_CACHE_DIR), so providers are linked, not fetched again. */
  readonly pluginCacheDir: string;
}

export interface EnsureOptions {
  /** Also provision the other CLI (terraform and tofu; offline, tofu is built from source if needed). Default: env TOOLCHAIN_ALL=1. */
  readonly all?: boolean;
  /** Skip the reachability check and use this source. Default: env TOOLCHAIN_PROVIDERS, else checked. */
  readonly providers?: ProviderSource;
  /** Check again whether the registry is reachable, even if an earlier answer is recorded (the command line and the demo do). */
  readonly recheck?: boolean;
  /** Project root (where tools/<name>-provider are); default: two levels above this file. */
  readonly root?: string;
  /** Where everything is cached; default: env TOOLCHAIN_DIR, else `<root>/.toolchain`. */
  readonly dir?: string;
  /** Progress lines; default: stderr, but only when something is checked or built (the cached path is silent). */
  readonly log?: (line: string) => void;
  /** Log every step, not just builds. */
  readonly verbose?: boolean;
}

/** A failure the user can act on: its message says what to install or change. */
export class ToolchainError extends Error {}

/** One run's settings, shared by the parts. */
export interface Context {
  readonly root: string;
  readonly dir: string;
  readonly all: boolean;
  readonly forcedSource?: ProviderSource;
  readonly recheck: boolean;
  readonly log: (line: string) => void;
  readonly verbose: boolean;
  readonly cached?: Toolchain;
}
