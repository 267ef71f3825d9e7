/**
 * The module's README, in the layout terraform-docs gives the Registry's modules (Requirements,
 * Providers, Modules, Resources, Inputs, Outputs), written from the same JSON that becomes the .tf
 * files, with the for_each example verbatim (the one the tests run) and the rules a user must know:
 * where it runs, removal, settings, failures, moving from the module's null_resources. Each rule is
 * checked by test/terraform-module.
 */
import { STEP_ADDRESS } from './module';
import { Variable } from './variables';

export interface ReadmeInputs {
  readonly version: string;
  readonly example: string;
  readonly examples: readonly string[];
  readonly variables: Record<string, Variable>;
  readonly outputs: Record<string, { description: string }>;
  /** main.tf's JSON: its `resource` and `data` blocks are the Resources table. */
  readonly resources: { resource: Record<string, Record<string, unknown>>; data: Record<string, Record<string, unknown>> };
  readonly requiredProviders: Record<string, { source: string; version: string }>;
  readonly requiredVersion: string;
}

const PACKAGE = 'https://www.npmjs.com/package/cdktf-fpga-image-association';

/** A markdown table; cells escape `|` and keep paragraphs apart with <br>. */
function table(header: string[], rows: string[][]): string {
  const cell = (text: string) => text.replace(/\n\n/g, '<br><br>').replace(/\n/g, ' ').replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '------').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export function readme(inputs: ReadmeInputs): string {
  const providers = Object.entries(inputs.requiredProviders);
  const shown = (v: Variable) => (!('default' in v) ? 'n/a' : `\`${JSON.stringify(v.default)}\``);
  const described = (v: Variable) => v.description.replace(/\n\n(Required|Default: [^\n]*)\.$/, '');
  const resources = [
    ...Object.entries(inputs.resources.resource).flatMap(([type, named]) => Object.keys(named).map((name) => [`${type}.${name}`, 'resource'])),
    ...Object.entries(inputs.resources.data).flatMap(([type, named]) => Object.keys(named).map((name) => [`data.${type}.${name}`, 'data source'])),
  ].sort(([a], [b]) => a.localeCompare(b));
  return `# fpga-image-association (Terraform module)

Associates a Huawei Cloud FPGA image with a private ECS image, and removes the association when the
module instance is destroyed. Generated from the CDKTF construct \`FpgaImageAssociation\` of
[cdktf-fpga-image-association](${PACKAGE}) ${inputs.version}
by \`npm run package:terraform\`: do not edit these files, regenerate them. It ships in the npm package
(\`node_modules/cdktf-fpga-image-association/terraform/fpga-image-association/\`) and as
\`fpga-image-association-${inputs.version}.tar.gz\`.

It holds two \`terraform_data\` resources, as the construct holds two \`null_resource\`s:

- the **association** (\`terraform_data.association\`): its \`triggers_replace\` is the pair's identity, its
  \`input\` the handler's environment (the identity and the settings that are set), and its destroy-time
  \`local-exec\` runs the bundled \`handler.js disassociate\` with that environment;
- the **step that makes it** (\`terraform_data.associate\`), whose create-time \`local-exec\` runs
  \`handler.js associate\`. A failed or interrupted associate taints only the step, so destroy always
  disassociates.

Both run \`sh node-launcher.sh handler.js <operation>\` from this directory: the launcher picks the Node
that runs the handler where Terraform runs (a Node 20.19+ on \`PATH\`, else the pinned Node, fetched once
from the npm registry and verified; \`FPGA_ASSOC_NODE=local\` or an absolute path decides otherwise).
Nothing in the state says what runs. Which runners have Node, and what to set on each: see
["Where Terraform runs"](${PACKAGE}#where-terraform-runs) in the library's README.
On Windows, Terraform needs an \`sh\` on \`PATH\` (Git for Windows or WSL) to run the module: a destroy-time
provisioner can read only its own resource, so what runs cannot be a variable without being in the state (the
construct's \`nodeExecutable\` is the Windows path for CDKTF).

## Usage

\`\`\`hcl
${inputs.example.trim()}
\`\`\`

\`source\` is relative to the example (\`examples/for_each/\`); point it at this directory, e.g.
\`./node_modules/cdktf-fpga-image-association/terraform/fpga-image-association\` after \`npm install
cdktf-fpga-image-association\`, or wherever you unpacked the tarball.

\`\`\`sh
export HW_ACCESS_KEY=... HW_SECRET_KEY=...
echo '{"fpga_image_id": "4010a32b5f231f04015f24259efd0429", "ecs_image_ids": ["18efee75-e058-4c52-a49c-9e3ba4d1c8de"]}' > terraform.tfvars.json
terraform init
terraform apply     # associates each image
terraform destroy   # disassociates them
\`\`\`

This example is the configuration the package's tests apply, plan, change and destroy with real
Terraform and OpenTofu. The others, each validated by the tests: ${inputs.examples.map((e) => `[\`examples/${e}\`](examples/${e}/main.tf)`).join(', ')}.
The module's own tests (\`tests/*.tftest.hcl\`: every validation, the \`for_each\` shape, \`enabled = false\`,
the outputs) are plans that need no credentials and no network: \`terraform init && terraform test\`
(or \`tofu test\`) in this directory.

Credentials come from the environment of whoever runs Terraform: \`HW_ACCESS_KEY\` and \`HW_SECRET_KEY\`
(optionally \`HW_SECURITY_TOKEN\`), a KooCLI profile (\`HW_PROFILE\`), or the ECS metadata service. They are
never part of the configuration or the state. The module has no provider block, so it can be called
with \`for_each\` and \`count\`.

## Removing an association

Terraform runs destroy-time provisioners only for resources whose block is still in the
configuration. So:

- **Drop a key** from the \`for_each\` (an image from \`ecs_image_ids\`): that instance is destroyed and
  disassociated; the others are untouched.
- **Remove the module block: two steps.** Set \`enabled = false\` and apply (every association the block
  made is disassociated), then delete the block (and what refers to its outputs) and apply again
  (nothing is left to do).
- **Never delete the module block directly** while it holds associations: Terraform would forget them
  without running the disassociate, and the FPGA images would stay associated (protected). The tests
  check all three with both CLIs. A \`removed\` block for a module cannot carry the provisioner, so there
  is no one-step form here. An association forgotten that way is found and removed with the handler's
  \`list\` and \`disassociate\` (see the library's README).

## Settings and replacement

Changing \`project_id\`, \`fpga_image_id\`, \`image_id\`, \`endpoint\` (or, without \`project_id\`, the region)
replaces the association: the old pair is disassociated, then the new one associated.

The handler's settings (the timeouts, \`max_attempts\`, \`max_requests_per_second\`, \`assume_role\`) never
replace it, and can change at any time: the next apply updates the association's \`input\` in place,
without a request, and the next destroy uses the new values. A setting left unset (\`null\`) is not
passed at all: the handler then reads \`FPGA_ASSOC_*\` from the environment of whoever runs Terraform
(for example \`FPGA_ASSOC_MAX_ATTEMPTS\`), or uses its default.

Every variable is checked at plan with the construct's rules (the IDs, the region, the endpoint, the
ranges, the agency): a bad value fails the plan with one line naming the variable, the value and what
is expected, before anything runs.

## When an apply fails

An associate whose answer was lost (exit 5, "may have been made") taints only the step: \`terraform
apply\` runs it again (it finds the association made, or makes it), \`terraform destroy\` removes it. To
associate a pair again after it was removed outside Terraform, replace its step:
\`terraform apply -replace='module.fpga_image_association["<image id>"].${STEP_ADDRESS}'\` (the
\`associate_address\` output, after the module's address). \`drift_check = true\` makes every plan warn
about such a pair (within the timeout variables, at most 30 seconds a pair).

## Moving from the module's \`null_resource\`s

Earlier versions of this module made two \`null_resource\`s per association. \`moved.tf\` takes their state
over as it is: the first plan shows the association updated in place (its \`input\` is written) and
nothing else, and the apply sends no request. Until that apply, a destroy reads the environment from the
moved triggers. This needs Terraform 1.9+ or OpenTofu 1.10+ (moving a \`null_resource\` to
\`terraform_data\`: hashicorp/terraform#35163, opentofu/opentofu#2481); the tests take over a state applied by the previous module with both CLIs.
The \`node_executable\` variable is gone: drop it from the module block, and where a runner needs a particular
Node, set \`FPGA_ASSOC_NODE\` to its absolute path in that runner's environment.

## Requirements

${table(['Name', 'Version'], [['terraform', inputs.requiredVersion], ...providers.map(([name, p]) => [name, p.version])])}

OpenTofu 1.10+ works as well: it checks the same \`required_version\`, but its 1.9 cannot take the \`moved\` blocks.

## Providers

${table(['Name', 'Version'], [...providers.map(([name, p]) => [name, p.version]), ['terraform', 'n/a (built in)']])}

The external provider serves the opt-in drift check; it is required even with \`drift_check = false\`
(\`required_providers\` cannot depend on a variable).

## Modules

No modules.

## Resources

${table(['Name', 'Type'], resources)}

## Inputs

${table(['Name', 'Description', 'Type', 'Default', 'Required'], Object.entries(inputs.variables).map(([name, v]) => [
  `<a name="input_${name}"></a> [${name}](#input_${name})`, described(v), `\`${v.type}\``, shown(v), 'default' in v ? 'no' : 'yes',
]))}

## Outputs

${table(['Name', 'Description'], Object.entries(inputs.outputs).map(([name, o]) => [`<a name="output_${name}"></a> [${name}](#output_${name})`, o.description]))}

## Files

\`main.tf\`, \`moved.tf\`, \`variables.tf\`, \`outputs.tf\`, \`versions.tf\`; \`handler.js\` (the handler, one file with
its dependencies) and \`handler.js.LICENSE.txt\` (the licence of the code it bundles); \`node-launcher.sh\`
(the launcher, POSIX \`sh\`); \`examples/\` and \`tests/\`.
`;
}
