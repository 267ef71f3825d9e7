import type { Toolchain, ToolchainCli } from '../../tools/toolchain';

/** Runs the scenario for every CLI of the toolchain (concurrently), naming the CLI in any failure. */
export async function forEachCli(toolchain: Toolchain, scenario: (cli: ToolchainCli) => Promise<void>): Promise<void> {
  expect(toolchain.clis.length).toBeGreaterThan(0);
  await Promise.all(
    toolchain.clis.map(async (cli) => {
      try {
        await scenario(cli);
      } catch (err: any) {
        err.message = `[${cli.binaryName} ${cli.version}] ${err.message}`;
        throw err;
      }
    }),
  );
}
