import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FpgaImageAssociation, RemovedFpgaImageAssociation } from '../src';

const PROPS = {
  projectId: '0123456789abcdef0123456789abcdef',
  fpgaImageId: '4010a32b5f231f04015f24259efd0429',
  imageId: '18efee75-e058-4c52-a49c-9e3ba4d1c8de',
  region: 'cn-north-1',
};

function synth(define: (scope: Construct) => void): any {
  const stack = new TerraformStack(Testing.app(), 'stack');
  define(new Construct(stack, 'Platform'));
  return JSON.parse(Testing.synth(stack, true));
}

test('the removed blocks target the addresses the association and its step had; the association\'s carries the destroy provisioner', () => {
  const before = synth((scope) => new FpgaImageAssociation(scope, 'Assoc', PROPS));
  const after = synth((scope) => new RemovedFpgaImageAssociation(scope, 'Assoc', { maxAttempts: 3 }));
  const [logicalId, stepId] = Object.keys(before.resource.null_resource);
  expect(stepId).toMatch(/^Platform_Assoc_Associate_[0-9A-F]{8}$/);
  const [destroyBefore] = before.resource.null_resource[logicalId].provisioner.filter((p: any) => p['local-exec'].when === 'destroy');

  expect(after.resource).toBeUndefined();
  expect(after.removed).toEqual([
    { from: `null_resource.${stepId}`, lifecycle: { destroy: true } },
    {
      from: `null_resource.${logicalId}`,
      lifecycle: { destroy: true },
      provisioner: [
        {
          'local-exec': {
            ...destroyBefore['local-exec'],
            environment: { ...destroyBefore['local-exec'].environment, FPGA_ASSOC_MAX_ATTEMPTS: '3' },
          },
        },
      ],
    },
  ]);
  expect(after.provider.null).toHaveLength(1);
});

test('several removals in one stack each get their own removed block', () => {
  const json = synth((scope) => {
    new RemovedFpgaImageAssociation(scope, 'A');
    new RemovedFpgaImageAssociation(scope, 'B');
  });
  expect(json.removed.map((r: any) => r.from)).toEqual([
    expect.stringMatching(/^null_resource\.Platform_A_Associate_[0-9A-F]{8}$/),
    expect.stringMatching(/^null_resource\.Platform_A_[0-9A-F]{8}$/),
    expect.stringMatching(/^null_resource\.Platform_B_Associate_[0-9A-F]{8}$/),
    expect.stringMatching(/^null_resource\.Platform_B_[0-9A-F]{8}$/),
  ]);
});
