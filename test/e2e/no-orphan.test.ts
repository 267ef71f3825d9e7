/**
 * The promise: an association this library made is always removed, whatever failed on the way. Each
 * scenario drives real Terraform (and OpenTofu) against the emulator into a failed, ambiguous or
 * interrupted associate or disassociate, then does what a user does next (destroy, `enabled: false`,
 * a `removed` block, dropping an id, apply again), and counts the relations left in the emulator: 0.
 *
 * The emulator's `takesEffect` faults make the API act on a request and then lose, fail or delay its
 * answer: the handler cannot know the outcome, which is when Terraform used to taint the one resource
 * that carried the disassociate and then skip it on destroy.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import { availableClis, Cli, requestSeen, RunResult, sortPairs, Workspace } from './workspace';
import { FpgaImageAssociation, FpgaImageAssociationProps, FpgaImageAssociations, RemovedFpgaImageAssociation } from '../../src';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import type { FaultRule } from '../../src/emulator/server';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const IMAGE_A = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
const IMAGE_B = '27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11';

/** The POST takes effect, and every answer to it is lost: the associate gives up without knowing. */
const POST_LOST: FaultRule = { method: 'POST', path: '/association', action: 'reset', takesEffect: true, times: -1 };
/** The DELETE takes effect, and every answer to it is lost. */
const DELETE_LOST: FaultRule = { method: 'DELETE', path: '/association', action: 'reset', takesEffect: true, times: -1 };
/** The POST takes effect at once, its answer comes 30 s later: the associate is in flight. */
const POST_IN_FLIGHT: FaultRule = { method: 'POST', path: '/association', action: 'delay', delayMs: 30_000, takesEffect: true };

let emulator: EmulatorProcess;
let clis: Cli[];
/** What each scenario did and left, printed at the end: the table of the note. */
const table: string[] = ['| CLI | scenario | commands (exit codes) | relations left |', '| --- | --- | --- | --- |'];

beforeAll(async () => {
  clis = await availableClis();
  emulator = await startEmulatorProcess();
}, 600_000);
afterAll(async () => {
  console.log(`No-orphan scenarios:\n${table.join('\n')}`);
  await emulator?.stop();
});
beforeEach(() => emulator.control.reset());

function props(overrides: Partial<FpgaImageAssociationProps> = {}): FpgaImageAssociationProps {
  // Three quick attempts, so a fault that never clears ends the associate within a second or two.
  return { projectId: emulator.projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_A, endpoint: emulator.url, maxAttempts: 3, ...overrides };
}

const one = (overrides: Partial<FpgaImageAssociationProps> = {}) => (stack: TerraformStack) => {
  new FpgaImageAssociation(stack, 'Assoc', props(overrides));
};

const many = (imageIds: string[], driftCheck = false) => (stack: TerraformStack) => {
  const { imageId, ...rest } = props();
  const associations = new FpgaImageAssociations(stack, 'Many', { ...rest, imageIds, driftCheck });
  new TerraformOutput(stack, 'association_ids', { value: associations.associationIds });
};

/** A step of a scenario: its command line for the table, and its result. */
class Steps {
  private readonly done: string[] = [];

  constructor(private readonly ws: Workspace) {}

  async run(label: string, command: Promise<RunResult>): Promise<RunResult> {
    const result = await command;
    this.done.push(`${label} (${result.status})`);
    return result;
  }

  async record(cli: Cli, scenario: string): Promise<number> {
    const left = (await emulator.control.relations()).length;
    table.push(`| ${cli.binaryName} | ${scenario} | ${this.done.join(' → ')} | ${left} |`);
    return left;
  }

  get workspace(): Workspace {
    return this.ws;
  }
}

/** Until the emulator has seen a request with this method: when to interrupt a command. */
const seen = (method: 'POST' | 'DELETE') => () => requestSeen(emulator.control, method);

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (await condition()) return;
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function expectAgreement(ws: Workspace) {
  expect(await ws.statePairs()).toEqual(sortPairs(await emulator.control.relations()));
}

/** One association's apply, sent `signal` while its POST (carried out) waits for an answer: related in the cloud. */
async function interruptedApply(steps: Steps, signal: 'SIGINT' | 'SIGKILL'): Promise<{ ws: Workspace; status: number | null }> {
  const ws = steps.workspace.synth(one());
  await ws.init();
  await emulator.control.addFaults([POST_IN_FLIGHT]);
  const interrupted = await steps.run(`apply + ${signal}`, ws.apply([], {}, { signal, when: seen('POST') }));
  await emulator.control.clearFaults();
  expect(await emulator.control.relations()).toHaveLength(1);
  return { ws, status: interrupted.status };
}

/** A workspace with the stack applied up to an associate whose outcome is unknown: related in the cloud, the step tainted. */
async function outcomeUnknownApply(steps: Steps, define: (stack: TerraformStack) => void): Promise<void> {
  const ws = steps.workspace.synth(define);
  await ws.init();
  await emulator.control.addFaults([POST_LOST]);
  const failed = await steps.run('apply', ws.apply());
  expect(failed.status).not.toBe(0);
  expect(failed.stdout + failed.stderr).toMatch(/may have been made/);
  expect(failed.stdout + failed.stderr).toMatch(/terraform destroy. removes it/);
  await emulator.control.clearFaults();
  expect(await emulator.control.relations()).not.toEqual([]);
  // The association stays in the state, untainted: what destroy needs to disassociate.
  expect((await ws.associationPairs()).every((pair) => !pair.tainted)).toBe(true);
  // The state does not claim the pair: state and cloud disagree until the next apply or destroy.
  expect(await ws.statePairs()).toEqual([]);
}

const each = () => (process.env.FPGA_E2E_CLIS ?? 'terraform,tofu').split(',');

describe.each(each())('%s', (name) => {
  let cli: Cli | undefined;
  beforeAll(() => {
    cli = clis.find((c) => c.binaryName === name);
  });

  const newWorkspace = (c: Cli) => new Workspace(c, { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey });

  /** Runs a scenario in a fresh workspace and records it; skipped when the CLI is missing. */
  async function scenario(title: string, body: (steps: Steps) => Promise<void>): Promise<void> {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const steps = new Steps(newWorkspace(cli));
    try {
      await body(steps);
      expect(await steps.record(cli, title)).toBe(0);
      await expectAgreement(steps.workspace);
      expect(steps.workspace.everythingWritten()).not.toContain(DEMO_CREDENTIALS.secretKey);
    } finally {
      steps.workspace.cleanup();
    }
  }

  test('outcome-unknown associate, then destroy', () => scenario('outcome-unknown associate, then destroy', async (steps) => {
    await outcomeUnknownApply(steps, one());
    expect((await steps.run('destroy', steps.workspace.destroy())).status).toBe(0);
  }));

  test('outcome-unknown associate, then enabled: false and apply', () => scenario('outcome-unknown associate, then `enabled: false` + apply', async (steps) => {
    await outcomeUnknownApply(steps, one());
    steps.workspace.synth(one({ enabled: false }));
    expect((await steps.run('apply (enabled: false)', steps.workspace.apply())).status).toBe(0);
  }));

  test('outcome-unknown associate, then RemovedFpgaImageAssociation', () => scenario('outcome-unknown associate, then `RemovedFpgaImageAssociation` + apply', async (steps) => {
    await outcomeUnknownApply(steps, one());
    steps.workspace.synth((stack) => new RemovedFpgaImageAssociation(stack, 'Assoc'));
    expect((await steps.run('apply (removed block)', steps.workspace.apply())).status).toBe(0);
    expect(await steps.workspace.associationPairs()).toEqual([]);
  }));

  test('outcome-unknown associate, then apply again: the associate is confirmed, then the plan is empty', () =>
    scenario('outcome-unknown associate, then apply, plan, destroy', async (steps) => {
      await outcomeUnknownApply(steps, one());
      expect((await steps.run('apply', steps.workspace.apply())).status).toBe(0);
      await expectAgreement(steps.workspace);
      expect(await steps.run('plan -detailed-exitcode', steps.workspace.run(['plan', '-detailed-exitcode', '-input=false', '-no-color']))).toMatchObject({ status: 0 });
      expect((await steps.run('destroy', steps.workspace.destroy())).status).toBe(0);
    }));

  test('outcome-unknown associate, then a new imageId: the old pair is removed, the new one made', () =>
    scenario('outcome-unknown associate, then imageId changed + apply, destroy', async (steps) => {
      await outcomeUnknownApply(steps, one());
      steps.workspace.synth(one({ imageId: IMAGE_B }));
      expect((await steps.run('apply (imageId B)', steps.workspace.apply())).status).toBe(0);
      expect(await emulator.control.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_B }]);
      expect((await steps.run('destroy', steps.workspace.destroy())).status).toBe(0);
    }));

  test('FpgaImageAssociations: outcome-unknown associate of one image, then that id dropped from the list', () =>
    scenario('`FpgaImageAssociations`: outcome-unknown associate, then the id dropped + apply, destroy', async (steps) => {
      const ws = steps.workspace.synth(many([IMAGE_A]));
      await ws.init();
      expect((await steps.run('apply [A]', ws.apply())).status).toBe(0);
      await emulator.control.addFaults([POST_LOST]);
      ws.synth(many([IMAGE_A, IMAGE_B]));
      expect((await steps.run('apply [A, B]', ws.apply())).status).not.toBe(0);
      await emulator.control.clearFaults();
      expect(await emulator.control.relations()).toHaveLength(2);
      ws.synth(many([IMAGE_A]));
      expect((await steps.run('apply [A]', ws.apply())).status).toBe(0);
      expect(await emulator.control.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_A }]);
      expect(JSON.parse((await ws.mustRun(['output', '-json', 'association_ids'])).stdout)).toEqual({ [IMAGE_A]: `${FPGA_IMAGE_ID}/${IMAGE_A}` });
      expect((await steps.run('destroy', ws.destroy())).status).toBe(0);
    }));

  test('FpgaImageAssociations: outcome-unknown associate, then enabled: false', () =>
    scenario('`FpgaImageAssociations`: outcome-unknown associate, then `enabled: false` + apply', async (steps) => {
      await outcomeUnknownApply(steps, many([IMAGE_A, IMAGE_B]));
      steps.workspace.synth((stack) => {
        const { imageId, ...rest } = props();
        new FpgaImageAssociations(stack, 'Many', { ...rest, imageIds: [IMAGE_A, IMAGE_B], enabled: false });
      });
      expect((await steps.run('apply (enabled: false)', steps.workspace.apply())).status).toBe(0);
    }));

  test('FpgaImageAssociations: outcome-unknown associate, then RemovedFpgaImageAssociation with its id', () =>
    scenario('`FpgaImageAssociations`: outcome-unknown associate, then `RemovedFpgaImageAssociation` + apply', async (steps) => {
      await outcomeUnknownApply(steps, many([IMAGE_A, IMAGE_B]));
      steps.workspace.synth((stack) => new RemovedFpgaImageAssociation(stack, 'Many'));
      expect((await steps.run('apply (removed block)', steps.workspace.apply())).status).toBe(0);
      expect(await steps.workspace.associationPairs()).toEqual([]);
    }));

  test('FpgaImageAssociations with the drift check: outcome-unknown associate, then destroy', () =>
    scenario('`FpgaImageAssociations` + drift check: outcome-unknown associate, then destroy', async (steps) => {
      await outcomeUnknownApply(steps, many([IMAGE_A, IMAGE_B], true));
      expect((await steps.run('destroy', steps.workspace.destroy())).status).toBe(0);
    }));

  test('SIGINT (Ctrl-C) while the associate is in flight, then destroy', () =>
    scenario('Ctrl-C (SIGINT to the process group) while the POST is in flight, then destroy', async (steps) => {
      const { ws, status } = await interruptedApply(steps, 'SIGINT');
      expect(status).not.toBe(0);
      expect((await steps.run('destroy', ws.destroy())).status).toBe(0);
    }));

  test('SIGKILL while the associate is in flight, then the README recovery (apply, then destroy)', () =>
    scenario('`kill -9` of the CLI while the POST is in flight, then apply, destroy', async (steps) => {
      const { ws, status } = await interruptedApply(steps, 'SIGKILL');
      expect(status).toBe(137);
      // Terraform wrote the association to its state before the associate ran; OpenTofu writes a local
      // state at the end of a run, so its state is empty: the apply adopts the pair either way.
      expect((await steps.run('apply', ws.apply())).status).toBe(0);
      await expectAgreement(ws);
      expect((await steps.run('destroy', ws.destroy())).status).toBe(0);
      // The orphaned handler times its attempt out and ends; it sends nothing more.
      await until('the orphaned handler to end', () => ws.leftoverProcesses('handler.js').length === 0, 40_000);
      expect((await emulator.control.requests()).filter((r) => r.method === 'POST')).toHaveLength(2);
    }));

  test('SIGKILL while the associate is in flight: where the state kept the association, destroy alone removes it', async () => {
    if (!cli) return console.warn(`${name} is not available here; skipped`);
    const ws = newWorkspace(cli).synth(one());
    try {
      await ws.init();
      await emulator.control.addFaults([POST_IN_FLIGHT]);
      await ws.apply([], {}, { signal: 'SIGKILL', when: seen('POST') });
      await emulator.control.clearFaults();
      const kept = (await ws.associationPairs()).length === 1;
      expect(kept).toBe(name === 'terraform');
      expect((await ws.destroy()).status).toBe(0);
      expect(await emulator.control.relations()).toHaveLength(kept ? 0 : 1);
    } finally {
      ws.cleanup();
    }
  });

  test('SIGKILL while the associate waits to retry: the orphaned handler sends nothing after the recovery', () =>
    scenario('`kill -9` of the CLI while the associate waits to retry, then destroy', async (steps) => {
      const ws = steps.workspace.synth(one());
      await ws.init();
      // The first POST fails after 3 s, without effect; a retry would succeed, after the destroy below.
      await emulator.control.addFaults([{ method: 'POST', path: '/association', action: 'respond', status: 503, delayMs: 3000 }]);
      const killed = await steps.run('apply + SIGKILL', ws.apply([], {}, { signal: 'SIGKILL', when: seen('POST') }));
      expect(killed.status).toBe(137);
      expect((await steps.run('destroy', ws.destroy())).status).toBe(0);
      await until('the orphaned handler to end', () => ws.leftoverProcesses('handler.js').length === 0);
      expect((await emulator.control.requests()).filter((r) => r.method === 'POST')).toHaveLength(1);
    }));

  test('outcome-unknown disassociate, then destroy again', () => scenario('outcome-unknown disassociate, then destroy again', async (steps) => {
    const ws = steps.workspace.synth(one());
    await ws.init();
    expect((await steps.run('apply', ws.apply())).status).toBe(0);
    await emulator.control.addFaults([DELETE_LOST]);
    expect((await steps.run('destroy', ws.destroy())).status).not.toBe(0);
    await emulator.control.clearFaults();
    expect(await ws.associationPairs()).toHaveLength(1);
    expect((await steps.run('destroy', ws.destroy())).status).toBe(0);
  }));

  test('SIGINT while the disassociate is in flight, then destroy again', () =>
    scenario('Ctrl-C while the DELETE is in flight, then destroy again', async (steps) => {
      const ws = steps.workspace.synth(one());
      await ws.init();
      expect((await steps.run('apply', ws.apply())).status).toBe(0);
      await emulator.control.addFaults([{ method: 'DELETE', path: '/association', action: 'delay', delayMs: 30_000, takesEffect: true }]);
      const interrupted = await steps.run('destroy + SIGINT', ws.destroy([], {}, { signal: 'SIGINT', when: seen('DELETE') }));
      expect(interrupted.status).not.toBe(0);
      await emulator.control.clearFaults();
      expect((await steps.run('destroy', ws.destroy())).status).toBe(0);
    }));
});
