/**
 * The module's README: what it does, the example the tests run (example.tf, verbatim), its inputs
 * and outputs from the same JSON that becomes variables.tf and outputs.tf, and the rules a user must
 * know (removal, settings, failures), each checked by test/terraform-module.
 */
import { STEP_ADDRESS } from './module';
import { Variable } from './variables';

export interface ReadmeInputs {
  readonly version: string;
  readonly example: string;
  readonly variables: Record<string, Variable>;
  readonly outputs: Record<string, { description: string }>;
  readonly requiredProviders: Record<string, { source: string; version: string }>;
  readonly requiredVersion: string;
}

export function readme(inputs: ReadmeInputs): string {
  const cell = (text: string) => text.replace(/\n\n/g, '<br><br>').replace(/\|/g, '\\|');
  const shown = (v: Variable) => (!('default' in v) ? 'required' : v.default === null ? '`null`' : `\`${JSON.stringify(v.default)}\``);
  const providers = Object.values(inputs.requiredProviders).map((p) => `\`${p.source}\` ${p.version}`).join(' and ');
  return `# fpga-image-association (Terraform module)

Associates a Huawei Cloud FPGA image with a private ECS image, and removes the association when the
module instance is destroyed. Generated from the CDKTF construct \`FpgaImageAssociation\` of
[cdktf-fpga-image-association](https://www.npmjs.com/package/cdktf-fpga-image-association) ${inputs.version}
by \`npm run package:terraform\`: do not edit these files, regenerate them.

It defines the construct's two \`null_resource\`s: the **association** (\`null_resource.association\`),
whose destroy-time \`local-exec\` runs the bundled \`handler.js disassociate\`, and the **step that makes
it** (\`null_resource.associate\`), whose create-time \`local-exec\` runs \`handler.js associate\`. A failed
or interrupted associate taints only the step, so destroy always disassociates.

## Requirements

- Terraform ${inputs.requiredVersion.replace('>= ', '')}+ or OpenTofu 1.6+, with ${providers}
  (the external provider serves the opt-in drift check; \`terraform init\` installs both).
- Node.js 20.19+ where Terraform runs (\`node_executable\` names another one).
- Credentials in the environment of whoever runs Terraform: \`HW_ACCESS_KEY\` and \`HW_SECRET_KEY\`
  (optionally \`HW_SECURITY_TOKEN\`), or a KooCLI profile (\`HW_PROFILE\`), or the ECS metadata service.
  They are never part of the configuration or the state.
- No provider block: the module can be called with \`for_each\` and \`count\`.

## Usage

Unpack the module beside your configuration (or point \`source\` at wherever you keep it), then:

\`\`\`hcl
${inputs.example.trim()}
\`\`\`

\`\`\`sh
export HW_ACCESS_KEY=... HW_SECRET_KEY=...
echo '{"fpga_image_id": "4010a32b5f231f04015f24259efd0429", "ecs_image_ids": ["18efee75-e058-4c52-a49c-9e3ba4d1c8de"]}' > terraform.tfvars.json
terraform init
terraform apply     # associates each image
terraform destroy   # disassociates them
\`\`\`

This example is the configuration the module's tests apply, plan, change and destroy with real
Terraform and OpenTofu.

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

The handler's settings (the timeouts, \`max_attempts\`, \`max_requests_per_second\`, \`assume_role\`,
\`node_executable\`) never replace it. A destroy-time provisioner can read nothing but its own resource,
so they are stored in the association's \`triggers\` when it is created, and ignored when they change
(\`lifecycle.ignore_changes\`): an associate uses the values of the configuration, a destroy the values
stored when the association was made. To have a destroy use others, leave the setting unset (\`null\`):
the handler then reads \`FPGA_ASSOC_*\` from the environment of whoever runs Terraform (for example
\`FPGA_ASSOC_MAX_ATTEMPTS\`), or uses its default. A setting left unset is not passed at all.

## When an apply fails

An associate whose answer was lost (exit 5, "may have been made") taints only the step: \`terraform
apply\` runs it again (it finds the association made, or makes it), \`terraform destroy\` removes it. To
associate a pair again after it was removed outside Terraform, replace its step:
\`terraform apply -replace='module.fpga_image_association["<image id>"].${STEP_ADDRESS}'\` (the
\`associate_address\` output, after the module's address). \`drift_check = true\` makes every plan warn
about such a pair.

## Inputs

| name | type | default | description |
| --- | --- | --- | --- |
${Object.entries(inputs.variables).map(([name, v]) => `| \`${name}\` | \`${v.type}\` | ${shown(v)} | ${cell(v.description.replace(v.default === null ? /\n\nRequired\.$/ : /\n\n(Required|Default: [^\n]*)\.$/, ''))} |`).join('\n')}

The ID rules and the region list are \`validation\` blocks; the handler checks everything else (the
endpoint, the settings' ranges, the agency) when Terraform runs it, and fails with a message naming
the value and the rule.

## Outputs

| name | description |
| --- | --- |
${Object.entries(inputs.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`).join('\n')}

## Files

\`main.tf\`, \`variables.tf\`, \`outputs.tf\`, \`versions.tf\`, \`handler.js\` (the handler, one file with its
dependencies) and \`handler.js.LICENSE.txt\` (the licence of the code it bundles).
`;
}
