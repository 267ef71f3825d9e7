/**
 * The module's configuration, synthesized from the construct: a stack holds one FpgaImageAssociation
 * whose props are the module's variables, cdktf synthesizes it (aspects, validations and the handler
 * asset included), and the JSON is then adapted to what a module called with `for_each` needs:
 *
 * - no provider block (a module with one cannot be called with `for_each`); required_providers stay;
 * - `enabled` becomes the association's `count` (the step follows it, as in the construct);
 * - identity from variables goes into the triggers as the construct puts it there; the handler's
 *   settings (tuning, `assume_role`, `node_executable`), which the construct writes as literals into
 *   the provisioners, come from variables here, and a destroy-time provisioner may read only `self`:
 *   they are stored in the association's triggers too, with `lifecycle.ignore_changes`, so that
 *   changing one never replaces (disassociates) the association;
 * - `drift_check` becomes the drift check's `count`.
 *
 * Every adaptation names the text it expects; if the construct's output changes shape, generation
 * stops with a message instead of writing a module that does something else.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Fn, TerraformElement, TerraformLocal, TerraformResource, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Prop, snakeCase } from './assembly';
import { Variable, variables } from './variables';
import { FpgaImageAssociation } from '../../src';
import { INPUT_ENV } from '../../src/contract';
import { endpointForRegion } from '../../src/rules';

/** The module's resources, named for what each owns. */
export const ASSOCIATION = 'association';
export const STEP = 'associate';
const DRIFT = 'drift_check';
/** The stack the construct is synthesized in; its path prefixes the drift check's messages, which the module rewords. */
const stackName = 'module';
/** The step's address inside the module: what `-replace` takes, after the module's own address. */
export const STEP_ADDRESS = `null_resource.${STEP}[0]`;

/** Props that are the association's identity: the construct takes them as Terraform expressions. */
const IDENTITY = ['projectId', 'fpgaImageId', 'imageId', 'region', 'endpoint'];
/** Props the module turns into meta-arguments or the interpreter. */
const STRUCTURE = ['enabled', 'driftCheck', 'nodeExecutable'];
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
/** Settings the drift check's query leaves out: it has its own plan-time limits. */
const PLAN_TIME_LIMITS: string[] = [INPUT_ENV.totalTimeoutMs, INPUT_ENV.attemptTimeoutMs];

export interface ModuleFiles {
  /** Terraform JSON documents, by file name (main.tf, variables.tf, outputs.tf, versions.tf). */
  readonly documents: Record<string, Record<string, any>>;
  /** The handler bundle the construct ships, as synthesized. */
  readonly handler: string;
}

interface Setting {
  /** The trigger key (and `local.settings` key). */
  readonly key: string;
  readonly env: string;
  /** HCL: the value as a string, "" when unset. */
  readonly expression: string;
}

/** Synthesizes the construct with the module's variables as props, and adapts the JSON to a module. */
export function synthesizeModule(props: readonly Prop[]): ModuleFiles {
  const settings = wire(props);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-terraform-module-'));
  try {
    const app = new App({ outdir, skipBackendValidation: true });
    const stack = new TerraformStack(app, stackName);
    const vars = variables(props);
    const declared = new Map(Object.entries(vars).map(([name, spec]) => [name, new TerraformVariable(stack, name, { type: spec.type })]));
    const v = (prop: string) => `var.${snakeCase(prop)}`;
    const value = (prop: string) => declared.get(snakeCase(prop))!.stringValue;

    const local = (name: string, expression: any) => {
      const declaredLocal = new TerraformLocal(stack, `local_${name}`, expression);
      declaredLocal.overrideLogicalId(name);
      return declaredLocal;
    };
    const region = local('region', `\${${v('region')} == null ? "" : ${v('region')}}`);
    const endpoint = local('endpoint', `\${${v('endpoint')} != null ? ${v('endpoint')} : "${endpointForRegion('${local.region}')}"}`);
    local('settings', {
      ...Object.fromEntries(settings.map((s) => [s.key, `\${${s.expression}}`])),
      node_executable: `\${${v('nodeExecutable')}}`,
    });

    // projectId is left out here and set below: the construct decides at synth whether the region joins
    // the identity, and in the module that depends on the variable's value.
    const association = new FpgaImageAssociation(stack, ASSOCIATION, {
      fpgaImageId: value('fpgaImageId'),
      imageId: value('imageId'),
      region: region.asString,
      endpoint: endpoint.asString,
      driftCheck: true,
    });
    association.resource.count = Token.asNumber(Fn.conditional(declared.get('enabled')!.booleanValue, 1, 0));
    association.resource.overrideLogicalId(ASSOCIATION);
    (association.node.findChild('Associate') as TerraformResource).overrideLogicalId(STEP);
    (association.node.findChild('DriftCheck') as TerraformElement).overrideLogicalId(DRIFT);
    app.synth();

    const stackDir = path.join(outdir, 'stacks', stack.node.id);
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const handlerPath = findHandler(stackDir);
    return { documents: adapt(json, vars, settings, path.relative(stackDir, handlerPath)), handler: fs.readFileSync(handlerPath, 'utf8') };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every prop has a place in the module; the settings, with their HCL. A new prop stops the generator until it is wired. */
function wire(props: readonly Prop[]): Setting[] {
  const settings: Setting[] = [];
  const visit = (prop: Prop, parents: string[]) => {
    const name = [...parents, prop.name].join('.');
    if (parents.length === 0 && (IDENTITY.includes(name) || STRUCTURE.includes(name))) return;
    if ('struct' in prop.type) {
      prop.type.props.forEach((p) => visit(p, [...parents, prop.name]));
      return;
    }
    const setting = SETTINGS[name];
    if (!setting) {
      throw new Error(`the prop ${name} has no place in the Terraform module: wire it in tools/terraform-module/module.ts (IDENTITY, STRUCTURE or SETTINGS)`);
    }
    const ref = `var.${[...parents, prop.name].map(snakeCase).join('.')}`;
    const value = setting.value ? setting.value(ref) : ref;
    const key = snakeCase(Object.entries(INPUT_ENV).find(([, env]) => env === setting.env)![0]);
    settings.push({ key, env: setting.env, expression: `try(${ref}, null) == null ? "" : tostring(${value})` });
  };
  props.forEach((p) => visit(p, []));
  return settings;
}

function findHandler(stackDir: string): string {
  const found: string[] = [];
  const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) walk(file);
    else if (e.name === 'handler.js') found.push(file);
  });
  walk(path.join(stackDir, 'assets'));
  if (found.length !== 1) throw new Error(`expected one handler.js among the synthesized assets, found ${found.length}`);
  return found[0];
}

/** `text` with `from` replaced by `to`, where `from` must occur: the construct's output is what this module expects. */
function mustReplace(text: string, from: string, to: string, what: string): string {
  if (!text.includes(from)) throw new Error(`the construct's ${what} no longer contains ${JSON.stringify(from)}: update tools/terraform-module/module.ts`);
  return text.split(from).join(to);
}

function adapt(json: any, vars: Record<string, Variable>, settings: readonly Setting[], handlerAsset: string): Record<string, Record<string, any>> {
  const stripped = JSON.parse(mustReplace(JSON.stringify(json), handlerAsset, 'handler.js', 'handler path'));
  const { variable: declared, locals, resource, data, check, terraform, provider, output } = stripped;
  if (output) throw new Error('the synthesized stack has outputs: the module writes its own');
  if (Object.keys(provider ?? {}).join() !== 'null') throw new Error(`expected only the default null provider, got ${Object.keys(provider ?? {})}`);
  const { null_resource: nullResources, ...otherResources } = resource;
  if (Object.keys(otherResources).length || Object.keys(nullResources).sort().join() !== [STEP, ASSOCIATION].sort().join()) {
    throw new Error(`expected the null_resources ${ASSOCIATION} and ${STEP}, got ${JSON.stringify(Object.keys(resource))}`);
  }
  if (Object.keys(declared).sort().join() !== Object.keys(vars).sort().join()) throw new Error('the synthesized variables are not the props');
  const association = nullResources[ASSOCIATION];
  const step = nullResources[STEP];

  // The project: "" when omitted, and then the region is part of the identity (as the construct does for an omitted projectId).
  association.triggers.project_id = '${var.project_id == null ? "" : var.project_id}';
  association.triggers.region = '${var.project_id == null ? local.region : ""}';
  // The settings, in the association's state for its destroy-time provisioner; never a reason to replace it.
  for (const s of settings) association.triggers[s.key] = `\${local.settings.${s.key}}`;
  association.triggers.node_executable = '${local.settings.node_executable}';
  association.lifecycle = {
    ignore_changes: [...settings.map((s) => s.key), 'node_executable'].map((key) => `triggers["${key}"]`),
    precondition: [{
      condition: '${var.region != null || var.endpoint != null}',
      error_message: 'region is required unless endpoint is given: expected one of cn-north-1, cn-east-2, cn-south-1.',
    }],
  };
  provisionerWithSettings(association, 'destroy', (key, fallback) => `lookup(self.triggers, "${key}", "${fallback}")`, settings);
  provisionerWithSettings(step, 'create', (key) => `local.settings.${key}`, settings);

  const drift = data.external[DRIFT];
  drift.count = `\${var.drift_check ? length(null_resource.${STEP}) : 0}`;
  drift.program[0] = '${local.settings.node_executable}';
  for (const [key, value] of Object.entries(drift.query).filter(([, text]) => (text as string).includes('${'))) {
    drift.query[key] = mustReplace(value as string, `null_resource.${STEP}.`, `null_resource.${STEP}[count.index].`, 'drift query');
  }
  for (const s of settings) if (!PLAN_TIME_LIMITS.includes(s.env)) drift.query[s.env] = `\${local.settings.${s.key}}`;
  for (const assertion of check[DRIFT].assert) {
    for (const field of ['condition', 'error_message']) {
      assertion[field] = mustReplace(assertion[field], `[data.external.${DRIFT}]`, `data.external.${DRIFT}`, 'drift check');
    }
  }
  for (const assertion of check[DRIFT].assert) {
    assertion.error_message = mustReplace(assertion.error_message, `"${stackName}/${ASSOCIATION}: `, '"fpga-image-association module: ', 'drift message');
  }
  const replaced = check[DRIFT].assert.find((a: any) => a.error_message.includes('-replace='));
  replaced.error_message = mustReplace(replaced.error_message, `-replace='null_resource.${STEP}'`, `-replace='<this module's address>.${STEP_ADDRESS}'`, 'drift message');

  delete terraform.backend;
  return {
    'versions.tf': { terraform: { required_version: '>= 1.5.0', required_providers: moduleProviders(terraform.required_providers) } },
    'variables.tf': { variable: vars },
    'main.tf': { locals, resource: { null_resource: { [ASSOCIATION]: association, [STEP]: step } }, data, check },
    'outputs.tf': { output: outputs() },
  };
}

/**
 * What a module asks of its callers' providers: full source addresses, and a range from the minor
 * version the construct pins (a module that pins one exact version forces it on every caller).
 */
function moduleProviders(providers: Record<string, { source: string; version?: string }>): Record<string, { source: string; version?: string }> {
  return Object.fromEntries(Object.entries(providers).map(([name, { source, version }]) => {
    const exact = version === undefined ? undefined : /^(\d+)\.(\d+)\.\d+$/.exec(version);
    return [name, { source: source.includes('/') ? source : `hashicorp/${source}`, version: exact ? `~> ${exact[1]}.${exact[2]}` : version }];
  }));
}

/**
 * The provisioner with the settings added to its environment, and the interpreter from them: a
 * setting that is unset ("") is left out, so that the handler's default, or the FPGA_ASSOC_* variable
 * of whoever runs Terraform, applies, as with the construct.
 */
function provisionerWithSettings(resource: any, when: string, read: (key: string, fallback: string) => string, settings: readonly Setting[]) {
  const [block] = resource.provisioner;
  const exec = block['local-exec'];
  if (exec.when !== when || resource.provisioner.length !== 1) throw new Error(`expected one ${when}-time local-exec provisioner`);
  exec.interpreter[0] = `\${${read('node_executable', 'node')}}`;
  const fixed = Object.entries(exec.environment as Record<string, string>).map(([name, value]) => `${name} = ${expressionOf(value)}`);
  const optional = settings.map((s) => `${s.env} = ${read(s.key, '')}`);
  exec.environment = `\${merge({ ${fixed.join(', ')} }, { for name, value in { ${optional.join(', ')} } : name => value if value != "" })}`;
}

/** A JSON-syntax string that is one interpolation, as the bare expression. */
function expressionOf(template: string): string {
  const match = /^\$\{(.*)\}$/s.exec(template);
  if (!match || match[1].includes('${')) throw new Error(`expected one interpolation, got ${JSON.stringify(template)}`);
  return match[1];
}

function outputs(): Record<string, { value: string; description: string }> {
  const step = `null_resource.${STEP}`;
  return {
    association_id: {
      value: `\${one([for s in ${step} : "\${s.triggers.fpga_image_id}/\${s.triggers.image_id}"])}`,
      description: '`<fpga_image_id>/<image_id>`, the identity of the association (Huawei Cloud gives it no ID of its own), known once the associate ran; null while `enabled` is false.',
    },
    fpga_image_id: {
      value: `\${one(${step}[*].triggers.fpga_image_id)}`,
      description: 'The FPGA image ID, once associated; null while `enabled` is false.',
    },
    image_id: {
      value: `\${one(${step}[*].triggers.image_id)}`,
      description: 'The ECS image ID, once associated; null while `enabled` is false.',
    },
    associate_address: {
      value: `\${var.enabled ? "${STEP_ADDRESS}" : null}`,
      description: 'The address, inside this module, of the step that associates: `terraform apply -replace=\'module.<name>["<key>"].'
        + `${STEP_ADDRESS}'\` associates the pair again (after it was removed outside Terraform, say). Null while \`enabled\` is false.`,
    },
  };
}
