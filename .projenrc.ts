import { cdk, javascript } from "projen";
const project = new cdk.JsiiProject({
  author: "FPGA IaC founders",
  authorAddress: "founders@example.com",
  jsiiVersion: "~6.0.0",
  name: "cdktf-fpga-image-association",
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: "https://example.com/cdktf-fpga-image-association.git",

  // defaultReleaseBranch: "main",  /* The name of the main release branch. */
  // deps: [],                      /* Runtime dependencies of this module. */
  // description: undefined,        /* The description is just a string that helps people understand the purpose of the package. */
  // devDeps: [],                   /* Build dependencies for this module. */
  // packageName: undefined,        /* The "name" in package.json. */
});
project.synth();