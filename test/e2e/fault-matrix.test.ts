/**
 * The fault matrix in CI: every class of failure, through real Terraform against the emulator.
 * Each row must meet its expectation (attempts, exit codes, waits) and the targets that hold for
 * all: state and cloud agree, no credential is written anywhere, and no handler run outlasts its
 * configured total timeout. `npx projen reliability` runs the same rows into docs/RELIABILITY.md.
 */
import { MatrixRow, runScenario, Scenario, SCENARIOS } from './fault-matrix';
import { availableClis, Cli } from './workspace';

let clis: Cli[];

beforeAll(async () => {
  clis = await availableClis();
}, 600_000);

function expectTargets(rows: readonly MatrixRow[], phases: number): void {
  expect(rows).toHaveLength(phases);
  for (const row of rows) {
    const label = `${row.name} (${row.phase}): ${row.requests}`;
    expect({ label, problems: row.problems }).toEqual({ label, problems: [] });
    expect(row.agreement).toBe(true);
    expect(row.leftAfterDestroy).toBe(0);
    expect(row.noSecret).toBe(true);
    expect(row.handlerMs).toBeLessThanOrEqual(row.totalTimeoutMs + 1000);
  }
}

const phasesOf = (scenario: Scenario) => (scenario.phase === 'both' ? 2 : 1);

test.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))('%s', async (_, scenario) => {
  expectTargets(await runScenario(scenario, { cli: clis[0] }), phasesOf(scenario));
}, 120_000);

/** The rows that depend most on how the CLI runs provisioners, again with the other CLI when there is one. */
const KEY_ROWS = [
  'clock skew rejected by the server', 'hung connection, always', '404 on delete', 'forbidden (403)',
  'outcome unknown: the POST acts, its answer is lost', 'interrupted apply: Ctrl-C',
];

test.each(KEY_ROWS)('with the second CLI: %s', async (name) => {
  const cli = clis[1];
  if (!cli) return console.warn(`only ${clis[0].binaryName} is available here; skipped`);
  const scenario = SCENARIOS.find((s) => s.name === name)!;
  expectTargets(await runScenario(scenario, { cli }), phasesOf(scenario));
}, 120_000);

test('permanent failures are never retried, and a Retry-After is waited out', async () => {
  const byName = new Map(SCENARIOS.map((s) => [s.name, s]));
  for (const name of ['bad AK/SK (401)', 'forbidden (403)']) expect(byName.get(name)?.expect).toMatchObject({ attempts: 1 });
  expect(byName.get('throttling: 429 APIGW.0308, Retry-After: 2')?.expect).toMatchObject({ minHandlerMs: 2000 });
});
