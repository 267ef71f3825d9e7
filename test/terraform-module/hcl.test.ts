import { renderHcl } from '../../tools/terraform-module/hcl';

test('a string that is one interpolation is the bare expression; others are quoted templates with their interpolations kept', () => {
  const hcl = renderHcl({
    resource: {
      null_resource: {
        a: {
          count: '${var.enabled ? 1 : 0}',
          triggers: { plain: 'say "hi"\\', mixed: 'x-${lookup(self.triggers, "k", "")}-y', escaped: '$${not} %%{this}' },
          provisioner: [{ 'local-exec': { when: 'destroy', on_failure: 'fail', command: 'run' } }],
          lifecycle: { ignore_changes: ['triggers["k"]'] },
        },
      },
    },
  });
  expect(hcl).toContain('count = var.enabled ? 1 : 0');
  expect(hcl).toContain('plain   = "say \\"hi\\"\\\\"');
  expect(hcl).toContain('mixed   = "x-${lookup(self.triggers, "k", "")}-y"');
  expect(hcl).toContain('escaped = "$${not} %%{this}"');
  expect(hcl).toMatch(/provisioner "local-exec" \{\n\s+when\s+= destroy\n\s+on_failure\s+= fail\n\s+command\s+= "run"/);
  expect(hcl).toContain('ignore_changes = [triggers["k"]]');
});

test('a nested template inside an interpolation is copied as it is', () => {
  const message = '${join("\\n", [for d in x : "image ${d.id}: run -replace=\'a[\\"${d.key}\\"]\'" if d.bad])}';
  expect(renderHcl({ output: { o: { value: message } } })).toContain(`value = ${message.slice(2, -1)}`);
});

test('terraform fmt\'s layout: one-line attributes aligned in runs, a multi-line one alone; comments at the top; moved blocks', () => {
  const hcl = renderHcl({
    '//': 'top',
    'resource': { terraform_data: { a: { '//': ['why', 'and more'], 'count': '${var.n}', 'triggers_replace': { a: 1, bbb: 2 }, 'input': 'x', 'long_name': [] } } },
    'moved': [{ from: 'null_resource.a', to: 'terraform_data.a' }],
  });
  expect(hcl).toBe([
    '# top',
    '',
    'resource "terraform_data" "a" {',
    '  # why',
    '  # and more',
    '  count = var.n',
    '  triggers_replace = {',
    '    a   = 1',
    '    bbb = 2',
    '  }',
    '  input     = "x"',
    '  long_name = []',
    '}',
    '',
    'moved {',
    '  from = null_resource.a',
    '  to   = terraform_data.a',
    '}',
    '',
  ].join('\n'));
});

test('an unknown block type is an error, not a guess', () => {
  expect(() => renderHcl({ removed: {} })).toThrow(/no rendering for a top-level "removed" block/);
});
