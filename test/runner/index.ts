/**
 * A simulated Terraform runner without Node.js, for tests of what runs where Terraform runs (the launcher's fetch
 * path, a CDKTF stack or the Terraform module on such a runner). Three parts, each usable alone:
 *
 * - `ensurePinnedTarballs(archs?)` (pinned-node.ts): the real tarballs of the pinned Node (src/node-launcher/pins.json),
 *   fetched once with `npm pack` into `.toolchain/node-tarballs/`; the host's package by default.
 * - `startNpmRegistry(tarballs, mode?)` (npm-registry.ts): a loopback npm registry serving them at
 *   `/<name>/-/<name>-<version>.tgz`; `downloads()` counts what it sent; `setMode('corrupt' | 'closed' | 'silent' |
 *   'serve')` makes it tamper, refuse connections, hang, or serve again on the same URL.
 * - `createRunner({ registry })` (runner.ts): a fresh runner (PATH of every program but Node's, a fresh HOME, no
 *   XDG_CACHE_HOME, `npm_config_registry`, FPGA_ASSOC_NODE unset; `nobody` when root). Pass it as the Host of a
 *   Workspace (test/e2e/workspace.ts) to run Terraform there: `new Workspace(cli, env, 'stack', runner)`; its `env`
 *   passed as a command's extra environment runs that one command on it instead.
 *
 * Tests that use them skip, with a warning, where `hostArch()` is undefined (no pinned Node runs there).
 */
export * from './pinned-node';
export * from './npm-registry';
export * from './runner';
