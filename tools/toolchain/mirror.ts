/**
 * The project-local CLI configuration (`.toolchain/terraformrc`) that points Terraform and OpenTofu at the
 * stand-ins' filesystem mirror. Only commands run with the toolchain's env (TF_CLI_CONFIG_FILE) read it.
 */
import { PROVIDERS } from './providers';

/** HCL string literal (JSON escapes are valid HCL; template sequences are escaped). */
function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, () => '$${').replace(/%\{/g, '%%{');
}

/** The mirror for the stand-in providers only, nothing that reaches the network, and a shared plugin cache. */
export function mirrorCliConfig(mirrorDir: string, cacheDir: string): string {
  return [
    "# Written by tools/toolchain: used only by commands run with the toolchain's env (TF_CLI_CONFIG_FILE).",
    '# The null and external providers come from the project-local mirror; no other installation method is configured.',
    `plugin_cache_dir = ${hclString(cacheDir)}`,
    '# The cache is pre-seeded with the same binary, so inits without a lock file link it instead of rewriting it.',
    'plugin_cache_may_break_dependency_lock_file = true',
    'disable_checkpoint = true',
    '',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${hclString(mirrorDir)}`,
    `    include = [${PROVIDERS.flatMap((p) => p.addresses).map(hclString).join(', ')}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}
