/**
 * The module's configuration, from the construct: a stack holds one FpgaImageAssociation whose
 * identity props are the module's variables, cdktf synthesizes it (aspects, validations, the drift
 * check), and the module is written from what it synthesized, in the shape a module needs:
 *
 * - no provider block (a module with one cannot be called with `for_each`); `enabled` is the count;
 * - `terraform_data`, not `null_resource`: the association's `triggers_replace` holds its identity
 *   (a change replaces it: a disassociate, then an associate) and its `input` the handler's
 *   environment, settings included. An apply updates `input` in place, without a request, and the
 *   destroy-time provisioner reads it from `self`: the next destroy uses the settings of the last apply;
 * - the step that associates stays a resource of its own, whose triggers are the association's id and
 *   identity, as the construct makes it: a failed associate taints the step, never the association;
 * - every provisioner and the drift check run `sh node-launcher.sh handler.js`, both at the module's
 *   root, named by the configuration: the state never says what runs, and the Node is the runner's
 *   choice (FPGA_ASSOC_NODE, PATH);
 * - `moved` blocks take over the state of the module's earlier `null_resource`s with no request.
 *
 * Every piece taken from the construct's output names the text it expects; if the construct changes
 * shape, generation stops with a message instead of writing a module that does something else.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformElement, TerraformResource, TerraformStack, TerraformVariable } from 'cdktf';
import { Prop, snakeCase } from './assembly';
import { COMMENT, hclStrings } from './hcl';
import { Variable, variables } from './variables';
import { FpgaImageAssociation } from '../../src';
import { HANDLER_DEFAULTS, INPUT_ENV } from '../../src/contract';
import { DRIFT_CHECK_TIMEOUT_MS } from '../../src/private/drift-check';
import { endpointForRegion } from '../../src/rules';

/** The module's resources, named for what each owns. */
export const ASSOCIATION = 'association';
export const STEP = 'associate';
const DRIFT = 'drift_check';
/** The stack the construct is synthesized in; its path prefixes the drift check's messages, which the module rewords. */
const stackName = 'module';
/** The step's address inside the module: what `-replace` takes, after the module's own address. */
export const STEP_ADDRESS = `terraform_data.${STEP}[0]`;
/** What every provisioner runs, from the module's root: the launcher picks the Node, then runs the handler. */
const PROGRAM = ['sh', '${path.module}/node-launcher.sh', '${path.module}/handler.js'];

/** Props that are the association's identity: the construct takes them as Terraform expressions. */
const IDENTITY = ['projectId', 'fpgaImageId', 'imageId', 'region', 'endpoint'];
/** Props the module turns into meta-arguments. */
const STRUCTURE = ['enabled', 'driftCheck'];
/** Props the module has no variable for, and why. */
export const OMITTED: Record<string, string> = {
  nodeExecutable: 'which Node runs the handler is decided where Terraform runs (FPGA_ASSOC_NODE, PATH), by the launcher, never by the state',
};
/**
 * The handler's settings: prop (or struct field) → the handler's input variable, and how the string
 * passed is made from the variable's value.
 */
const SETTINGS: Record<string, { env: string; value?: (ref: string) => string }> = {
  'attemptTimeoutSeconds': { env: INPUT_ENV.attemptTimeoutMs, value: (ref) => `${ref} * 1000` },
  'totalTimeoutSeconds': { env: INPUT_ENV.totalTimeoutMs, value: (ref) => `${ref} * 1000` },
  'maxAttempts': { env: INPUT_ENV.maxAttempts },
  'maxRequestsPerSecond': { env: INPUT_ENV.maxRequestsPerSecond },
  'assumeRole.agencyName': { env: INPUT_ENV.assumeRoleAgencyName },
  'assumeRole.domainName': { env: INPUT_ENV.assumeRoleDomainName },
  'assumeRole.domainId': { env: INPUT_ENV.assumeRoleDomainId },
  'assumeRole.durationSeconds': { env: INPUT_ENV.assumeRoleDurationSeconds },
};
/** The drift check's own limits: a plan waits at most DRIFT_CHECK_TIMEOUT_MS for a pair, as with the construct. */
const PLAN_TIME_LIMITS: Record<string, { variable: string; defaultMs: number }> = {
  [INPUT_ENV.totalTimeoutMs]: { variable: 'total_timeout_seconds', defaultMs: HANDLER_DEFAULTS.totalTimeoutMs },
  [INPUT_ENV.attemptTimeoutMs]: { variable: 'attempt_timeout_seconds', defaultMs: HANDLER_DEFAULTS.attemptTimeoutMs },
};
/**
 * The settings keys that the module's `null_resource` association kept in its triggers (up to 0.x of
 * this package), trigger key → the handler's input variable. A state moved from it keeps them in
 * `triggers_replace`, where they are ignored, and read only by a destroy before the first apply.
 */
const LEGACY_SETTINGS: Record<string, string> = {
  assume_role_agency_name: INPUT_ENV.assumeRoleAgencyName,
  assume_role_domain_id: INPUT_ENV.assumeRoleDomainId,
  assume_role_domain_name: INPUT_ENV.assumeRoleDomainName,
  assume_role_duration_seconds: INPUT_ENV.assumeRoleDurationSeconds,
  attempt_timeout_ms: INPUT_ENV.attemptTimeoutMs,
  max_attempts: INPUT_ENV.maxAttempts,
  max_requests_per_second: INPUT_ENV.maxRequestsPerSecond,
  total_timeout_ms: INPUT_ENV.totalTimeoutMs,
  // Never read: what ran is the configuration's.
  node_executable: '',
};

export interface ModuleFiles {
  /** Terraform JSON documents, by file name (main.tf, variables.tf, outputs.tf, versions.tf, moved.tf). */
  readonly documents: Record<string, Record<string, any>>;
}

interface Setting {
  readonly env: string;
  /** HCL: the value as a string, null when unset. */
  readonly expression: string;
}

/** Synthesizes the construct with the module's variables as identity props, and writes the module from it. */
export function synthesizeModule(props: readonly Prop[]): ModuleFiles {
  const settings = wire(props);
  const vars = variables(props.filter((p) => !(p.name in OMITTED)));
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-terraform-module-'));
  try {
    const app = new App({ outdir, skipBackendValidation: true });
    const stack = new TerraformStack(app, stackName);
    const value = (prop: string) => new TerraformVariable(stack, snakeCase(prop), { type: 'string' }).stringValue;
    const association = new FpgaImageAssociation(stack, ASSOCIATION, {
      fpgaImageId: value('fpgaImageId'),
      imageId: value('imageId'),
      region: value('region'),
      endpoint: value('endpoint'),
      driftCheck: true,
    });
    association.resource.overrideLogicalId(ASSOCIATION);
    (association.node.findChild('Associate') as TerraformResource).overrideLogicalId(STEP);
    (association.node.findChild('DriftCheck') as TerraformElement).overrideLogicalId(DRIFT);
    app.synth();
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
    return { documents: moduleDocuments(json, vars, settings) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every prop has a place in the module; the settings, with their HCL. A new prop stops the generator until it is wired. */
function wire(props: readonly Prop[]): Setting[] {
  const settings: Setting[] = [];
  const visit = (prop: Prop, parents: string[]) => {
    const name = [...parents, prop.name].join('.');
    if (parents.length === 0 && (IDENTITY.includes(name) || STRUCTURE.includes(name) || name in OMITTED)) return;
    if ('struct' in prop.type) {
      prop.type.props.forEach((p) => visit(p, [...parents, prop.name]));
      return;
    }
    const setting = SETTINGS[name];
    if (!setting) {
      throw new Error(`the prop ${name} has no place in the Terraform module: wire it in tools/terraform-module/module.ts (IDENTITY, STRUCTURE, OMITTED or SETTINGS)`);
    }
    const ref = `var.${[...parents, prop.name].map(snakeCase).join('.')}`;
    // try(): a field of an unset struct, or arithmetic on null, is an error that means "unset".
    settings.push({ env: setting.env, expression: `try(tostring(${setting.value ? setting.value(ref) : ref}), null)` });
  };
  props.forEach((p) => visit(p, []));
  return settings;
}

/** `text` with `from` replaced by `to`, where `from` must occur: the construct's output is what this module expects. */
function mustReplace(text: string, from: string, to: string, what: string): string {
  if (!text.includes(from)) throw new Error(`the construct's ${what} no longer contains ${JSON.stringify(from)}: update tools/terraform-module/module.ts`);
  return text.split(from).join(to);
}

/** The trigger key each identity input of the handler is read from, as the construct's destroy-time provisioner reads them. */
function identityEnvironment(association: any): Record<string, string> {
  const exec = association.provisioner?.[0]?.['local-exec'];
  if (association.provisioner?.length !== 1 || exec?.when !== 'destroy' || exec.command !== 'disassociate') {
    throw new Error('expected the association to have one destroy-time local-exec provisioner that runs disassociate');
  }
  return Object.fromEntries(Object.entries(exec.environment as Record<string, string>).map(([env, template]) => {
    const key = /^\$\{(?:self\.triggers\.(\w+)|lookup\(self\.triggers, "(\w+)", ""\))\}$/.exec(template);
    if (!key) throw new Error(`the construct's disassociate environment ${env} = ${template} is not a trigger of the association`);
    return [env, key[1] ?? key[2]];
  }));
}

function moduleDocuments(json: any, vars: Record<string, Variable>, settings: readonly Setting[]): Record<string, Record<string, any>> {
  const { resource, data, check, terraform } = json;
  const { null_resource: nullResources, ...otherResources } = resource;
  if (Object.keys(otherResources).length || Object.keys(nullResources).sort().join() !== [STEP, ASSOCIATION].sort().join()) {
    throw new Error(`expected the null_resources ${ASSOCIATION} and ${STEP}, got ${JSON.stringify(Object.keys(resource))}`);
  }
  const constructStep = nullResources[STEP];
  const stepExec = constructStep.provisioner?.[0]?.['local-exec'];
  if (stepExec?.when !== 'create' || stepExec.command !== 'associate') throw new Error('expected the step to run associate at create time');
  const identityEnv = identityEnvironment(nullResources[ASSOCIATION]);
  const identityKeys = [...new Set(Object.values(identityEnv))].sort();
  const association = `terraform_data.${ASSOCIATION}`;
  const step = `terraform_data.${STEP}`;

  // The identity as the construct writes it into the triggers; without project_id the region (of the
  // variable, else of a Huawei endpoint) names the project, and then joins the identity.
  const identity: Record<string, string> = {
    project_id: '${var.project_id == null ? "" : var.project_id}',
    fpga_image_id: '${var.fpga_image_id}',
    image_id: '${var.image_id}',
    endpoint: `\${var.endpoint != null ? var.endpoint : "${endpointForRegion('${var.region == null ? "" : var.region}')}"}`,
    region: '${var.project_id != null ? "" : var.region != null ? var.region : try(regex("^https://ecs\\\\.([a-z0-9-]+)\\\\.myhuaweicloud\\\\.com$", var.endpoint)[0], "")}',
  };
  if (Object.keys(identity).sort().join() !== identityKeys.join()) throw new Error(`the construct's identity triggers are ${identityKeys}, not ${Object.keys(identity)}`);
  const locals = {
    [COMMENT]: [
      'What the handler is given: the identity, then each setting that is set (null, unset: the FPGA_ASSOC_* variable',
      'of the runner, or the handler\'s default, applies).',
    ],
    identity,
    setting_values: Object.fromEntries(settings.map((s) => [s.env, `\${${s.expression}}`])),
    settings: '${{ for name, value in local.setting_values : name => value if value != null }}',
    identity_environment: Object.fromEntries(Object.entries(identityEnv).map(([env, key]) => [env, `\${local.identity.${key}}`])),
    environment: '${merge(local.identity_environment, local.settings)}',
  };

  const legacyEnvironment = [
    ...Object.entries(identityEnv).map(([env, key]) => `${env} = self.triggers_replace.${key}`),
    ...Object.entries(LEGACY_SETTINGS).filter(([, env]) => env).map(([key, env]) => `${env} = self.triggers_replace.${key}`),
  ];
  const associationResource = {
    [COMMENT]: [
      'The association: its identity in triggers_replace (a change replaces it), the handler\'s environment in input',
      '(a change is an update in place, without a request), read back by the destroy-time provisioner.',
    ],
    count: '${var.enabled ? 1 : 0}',
    triggers_replace: { ...Object.fromEntries(Object.keys(identity).map((key) => [key, `\${local.identity.${key}}`])), ...Object.fromEntries(Object.keys(LEGACY_SETTINGS).map((key) => [key, null])) },
    input: '${local.environment}',
    provisioner: [{
      'local-exec': {
        [COMMENT]: 'output is null only in a state moved from the null_resource and not applied since: its triggers hold the environment.',
        when: 'destroy',
        on_failure: 'fail',
        interpreter: PROGRAM,
        command: 'disassociate',
        environment: `\${self.output != null ? self.output : { for name, value in { ${legacyEnvironment.join(', ')} } : name => value if value != null && value != "" }}`,
      },
    }],
    lifecycle: {
      [COMMENT]: 'Settings kept by a state moved from the null_resource association: never a reason to replace it.',
      ignore_changes: Object.keys(LEGACY_SETTINGS).map((key) => `triggers_replace.${key}`),
    },
  };

  // The step's triggers as the construct writes them: the association's id and identity.
  const stepTriggers = JSON.parse(mustReplace(
    mustReplace(JSON.stringify(constructStep.triggers), `null_resource.${ASSOCIATION}.`, `${association}[count.index].`, 'step triggers'),
    '.triggers.', '.triggers_replace.', 'step triggers',
  ));
  const stepResource = {
    [COMMENT]: 'The step that associates: a failed or interrupted associate taints it, never the association.',
    count: '${var.enabled ? 1 : 0}',
    triggers_replace: stepTriggers,
    provisioner: [{
      'local-exec': {
        when: 'create',
        on_failure: 'fail',
        interpreter: PROGRAM,
        command: 'associate',
        environment: '${local.environment}',
      },
    }],
  };

  const drift = data.external[DRIFT];
  const pair = `${step}[count.index]`;
  const fixedQuery: Record<string, string> = {};
  for (const [key, template] of Object.entries(drift.query as Record<string, string>)) {
    if (key in PLAN_TIME_LIMITS) continue;
    fixedQuery[key] = mustReplace(template, `null_resource.${STEP}.`, `${pair}.`, 'drift query').replace(/\.triggers\b/g, '.triggers_replace');
  }
  const limits = Object.entries(PLAN_TIME_LIMITS).map(([env, { variable, defaultMs }]) =>
    `${env} = tostring(min(coalesce(var.${variable}, ${defaultMs / 1000}) * 1000, ${DRIFT_CHECK_TIMEOUT_MS}))`);
  const driftData = {
    [COMMENT]: 'The opt-in drift check: the handler\'s drift-query for the pair the step made, within the plan-time limits.',
    count: `\${var.drift_check ? length(${step}) : 0}`,
    program: [...PROGRAM, 'drift-query'],
    query: `\${merge({ ${Object.entries(fixedQuery).map(([key, template]) => `${key} = ${expressionOf(template)}`).join(', ')} }, `
      + `{ for name, value in local.settings : name => value if !contains(${hclStrings(Object.keys(PLAN_TIME_LIMITS))}, name) }, { ${limits.join(', ')} })}`,
  };
  for (const assertion of check[DRIFT].assert) {
    for (const field of ['condition', 'error_message']) {
      assertion[field] = mustReplace(assertion[field], `[data.external.${DRIFT}]`, `data.external.${DRIFT}`, 'drift check');
    }
    assertion.error_message = mustReplace(assertion.error_message, `"${stackName}/${ASSOCIATION}: `, '"fpga-image-association module: ', 'drift message');
  }
  const replaced = check[DRIFT].assert.find((a: any) => a.error_message.includes('-replace='));
  replaced.error_message = mustReplace(replaced.error_message, `-replace='null_resource.${STEP}'`, `-replace='<this module's address>.${STEP_ADDRESS}'`, 'drift message');

  return {
    'versions.tf': { terraform: { required_version: '>= 1.9.0', required_providers: moduleProviders(terraform.required_providers) } },
    'variables.tf': { variable: vars },
    'main.tf': {
      locals,
      resource: { terraform_data: { [ASSOCIATION]: associationResource, [STEP]: stepResource } },
      data: { external: { [DRIFT]: driftData } },
      check,
    },
    'moved.tf': {
      [COMMENT]: 'The module\'s earlier versions made null_resources: taken over as they are, with no request (Terraform 1.9+, OpenTofu 1.10+).',
      moved: [ASSOCIATION, STEP].map((name) => ({ from: `null_resource.${name}`, to: `terraform_data.${name}` })),
    },
    'outputs.tf': { output: outputs() },
  };
}

/**
 * What a module asks of its callers' providers: the external provider (the drift check's), with a
 * full source address. The association needs none: terraform_data is built in.
 */
function moduleProviders(providers: Record<string, { source: string; version?: string }>): Record<string, { source: string; version?: string }> {
  const { external } = providers;
  if (!external) throw new Error(`expected the construct to require the external provider, got ${Object.keys(providers)}`);
  return { external: { source: external.source.includes('/') ? external.source : `hashicorp/${external.source}`, version: external.version } };
}

/** A JSON-syntax string that is one interpolation, as the bare expression. */
function expressionOf(template: string): string {
  const match = /^\$\{(.*)\}$/s.exec(template);
  if (!match || match[1].includes('${')) throw new Error(`expected one interpolation, got ${JSON.stringify(template)}`);
  return match[1];
}

function outputs(): Record<string, { value: string; description: string }> {
  const step = `terraform_data.${STEP}`;
  const field = (key: string) => `\${one(${step}[*].triggers_replace.${key})}`;
  return {
    association_id: {
      value: `\${one([for s in ${step} : "\${s.triggers_replace.fpga_image_id}/\${s.triggers_replace.image_id}"])}`,
      description: '`<fpga_image_id>/<image_id>`, the identity of the association (Huawei Cloud gives it no ID of its own); null while `enabled` is false.',
    },
    fpga_image_id: { value: field('fpga_image_id'), description: 'The FPGA image ID; null while `enabled` is false.' },
    image_id: { value: field('image_id'), description: 'The ECS image ID; null while `enabled` is false.' },
    endpoint: {
      value: field('endpoint'),
      description: 'The ECS endpoint the handler calls for this association (`endpoint`, else the region\'s); null while `enabled` is false.',
    },
    associate_address: {
      value: `\${var.enabled ? "${STEP_ADDRESS}" : null}`,
      description: 'The address, inside this module, of the step that associates: `terraform apply -replace=\'module.<name>["<key>"].'
        + `${STEP_ADDRESS}'\` associates the pair again (after it was removed outside Terraform, say). Null while \`enabled\` is false.`,
    },
  };
}
