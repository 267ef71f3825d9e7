"""The stack of test/python/binding-app.js, defined through the Python binding; keep the two in step.

Usage: python main.py OUTDIR
"""
import sys

from cdktf import App, TerraformStack
from cdktf_cdktf_provider_null.provider import NullProvider
from cdktf_fpga_image_association import AssumeRole, FpgaImageAssociation, RemovedFpgaImageAssociation

STACK_NAME = "fpga-binding"


def main(outdir: str) -> None:
    app = App(outdir=outdir)
    stack = TerraformStack(app, STACK_NAME)
    NullProvider(stack, "SecondaryNull", alias="secondary")
    FpgaImageAssociation(
        stack,
        "Primary",
        project_id="0123456789abcdef0123456789abcdef",
        fpga_image_id="4010a32b5f231f04015f24259efd0429",
        image_id="18efee75-e058-4c52-a49c-9e3ba4d1c8de",
        region="cn-north-1",
    )
    FpgaImageAssociation(
        stack,
        "Tuned",
        project_id="0123456789abcdef0123456789abcdef",
        fpga_image_id="4010a32b5f231f04015f24259efd0430",
        image_id="5c0e9a5e-3f7a-4c1e-9b8d-2f6a1d3c4b5e",
        endpoint="http://127.0.0.1:8080/",
        enabled=True,
        attempt_timeout_seconds=5,
        total_timeout_seconds=60,
        max_attempts=3,
        node_executable="/usr/local/bin/node",
        assume_role=AssumeRole(agency_name="fpga_deployer", domain_name="delegating_account", duration_seconds=3600),
    )
    FpgaImageAssociation(
        stack,
        "ProjectOfRegion",
        fpga_image_id="4010a32b5f231f04015f24259efd0431",
        image_id="18efee75-e058-4c52-a49c-9e3ba4d1c8de",
        region="cn-east-2",
    )
    RemovedFpgaImageAssociation(stack, "Retired", max_attempts=4)
    app.synth()


if __name__ == "__main__":
    main(sys.argv[1])
