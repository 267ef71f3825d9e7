import { Resource } from '@cdktf/provider-null/lib/resource';
import { TerraformElement } from 'cdktf';
import { Construct } from 'constructs';
import { DRIFT_RESULT, HANDLER_DEFAULTS, INPUT_ENV } from '../contract';
import { HandlerProvisioners, REGION_TRIGGER } from './provisioners';

/** How long the drift check may make a plan wait for one pair, retries included. */
export const DRIFT_CHECK_TIMEOUT_MS = 30_000;

/** The version constraint written for hashicorp/external (2.3.x's data source is all the check uses). */
const EXTERNAL_PROVIDER_CONSTRAINT = '~> 2.3';

/**
 * The opt-in drift check of an association (one instance, or one per image with `for_each`): a
 * `data "external"` that runs the handler's `drift-query` for each pair the state says was made (the
 * step that associates), and a `check` block whose assertions turn a pair that is gone from the
 * cloud, or a question that could not be answered, into a plan-time warning naming the pair and the
 * `-replace` of its step, which associates it again.
 *
 * The data source sits outside the `check` block on purpose: a data source scoped to a check block is
 * re-read during every apply, so `terraform plan -detailed-exitcode` would never again report "no
 * changes" (exit 0). Failures cannot fail the plan either way: `drift-query` reports them in its answer.
 *
 * The query passes the step's `id`, which the handler ignores: it is unknown while the pair is
 * being associated, which defers the query to the apply, after the associate ran, instead of
 * reporting a pair that is not there yet.
 */
export class DriftCheck extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly association: Resource,
    private readonly associate: Resource,
    private readonly provisioners: HandlerProvisioners,
  ) {
    super(scope, id);
  }

  public toTerraform(): any {
    // Decided at synth: FpgaImageAssociations sets the association's for_each after creating it.
    const many = this.association.forEach !== undefined;
    const name = this.friendlyUniqueId;
    const data = `data.external.${name}`;
    // The step that associates: it holds the pairs made, and replacing it associates again.
    const address = `null_resource.${this.associate.friendlyUniqueId}`;
    const pair = many ? 'each.value' : address;
    const answers = many ? `values(${data})` : `[${data}]`;
    const fpga = `d.query.${INPUT_ENV.fpgaImageId}`;
    const image = `d.query.${INPUT_ENV.imageId}`;
    const associated = `d.result.${DRIFT_RESULT.associated}`;
    const problem = `d.result.${DRIFT_RESULT.problem}`;
    const where = hclText(this.node.scope!.node.path);
    const replace = many ? `${address}[\\"\${${image}}\\"]` : address;
    // One message per pair, in one warning; `d` is the data source (instance) of a pair.
    const messages = (condition: string, text: string) => `\${join("\\n", [for d in ${answers} : "${where}: ${text}" if ${condition}])}`;
    return {
      terraform: { required_providers: { external: { source: 'hashicorp/external', version: EXTERNAL_PROVIDER_CONSTRAINT } } },
      data: {
        external: {
          [name]: {
            ...(many ? { for_each: `\${${address}}` } : {}),
            program: this.provisioners.program('drift-query'),
            query: {
              [INPUT_ENV.projectId]: `\${${pair}.triggers.project_id}`,
              [INPUT_ENV.fpgaImageId]: `\${${pair}.triggers.fpga_image_id}`,
              [INPUT_ENV.imageId]: `\${${pair}.triggers.image_id}`,
              [INPUT_ENV.endpoint]: `\${${pair}.triggers.endpoint}`,
              [INPUT_ENV.region]: `\${lookup(${pair}.triggers, "${REGION_TRIGGER}", "")}`,
              null_resource_id: `\${${pair}.id}`,
              ...this.planTimeTuning(),
              ...this.provisioners.agency,
            },
          },
        },
      },
      check: {
        [name]: {
          assert: [
            {
              condition: `\${alltrue([for d in ${answers} : ${associated} != "false"])}`,
              error_message: messages(
                `${associated} == "false"`,
                `FPGA image \${${fpga}} is no longer associated with ECS image \${${image}}, although the Terraform state says it is: `
                  + `it was removed outside Terraform. To associate them again, run: terraform apply -replace='${replace}'`,
              ),
            },
            {
              condition: `\${alltrue([for d in ${answers} : ${problem} == ""])}`,
              error_message: messages(
                `${problem} != ""`,
                `could not check whether FPGA image \${${fpga}} is still associated with ECS image \${${image}}: \${${problem}}`,
              ),
            },
          ],
        },
      },
    };
  }

  /** The user's tuning, with the operation's limit (and so each attempt's) cut to DRIFT_CHECK_TIMEOUT_MS. */
  private planTimeTuning(): Record<string, string> {
    const { tuning } = this.provisioners;
    const limit = (name: string, fallback: number) => String(Math.min(Number(tuning[name] ?? fallback), DRIFT_CHECK_TIMEOUT_MS));
    return {
      ...tuning,
      [INPUT_ENV.totalTimeoutMs]: limit(INPUT_ENV.totalTimeoutMs, HANDLER_DEFAULTS.totalTimeoutMs),
      [INPUT_ENV.attemptTimeoutMs]: limit(INPUT_ENV.attemptTimeoutMs, HANDLER_DEFAULTS.attemptTimeoutMs),
    };
  }
}

/** `value` as literal text inside an HCL quoted template: escapes, and no `${` or `%{` sequences (a replacer function, because `$$` in a replacement string means one `$`). */
function hclText(value: string): string {
  return JSON.stringify(value).slice(1, -1).replace(/\$\{/g, () => '$${').replace(/%\{/g, '%%{');
}
