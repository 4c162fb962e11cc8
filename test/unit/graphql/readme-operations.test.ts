import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';

/**
 * Every ```graphql block of the README is an operation a reader pastes into GraphiQL: it must parse and
 * validate against the committed schema, so a renamed field fails here rather than on a first try.
 */

const ROOT = path.resolve(__dirname, '../../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const schema = buildSchema(fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8'));

/** Fenced ```graphql blocks, also inside list items (indented fences), with their line numbers. */
function graphqlBlocks(markdown: string): { line: number; text: string }[] {
  const blocks: { line: number; text: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)```graphql\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j += 1) body.push(lines[j]!.slice(indent));
    if (j === lines.length) throw new Error(`README.md:${i + 1}: unclosed \`\`\`graphql block`);
    blocks.push({ line: i + 1, text: body.join('\n') });
    i = j;
  }
  return blocks;
}

const blocks = graphqlBlocks(README);

describe('README.md GraphQL examples', () => {
  it('has the first query the issue asks for: contacts with their deals', () => {
    expect(blocks.length).toBeGreaterThan(0);
    const first = parse(blocks[0]!.text);
    const printed = blocks[0]!.text;
    expect(first.definitions.some((d) => d.kind === 'OperationDefinition')).toBe(true);
    expect(printed).toMatch(/\bcontacts\s*\(/);
    expect(printed).toMatch(/\bdeals\s*\{/);
  });

  it.each(blocks.map((b) => [b.line, b.text] as const))(
    'block at README.md:%i validates against schema/schema.graphql',
    (line, text) => {
      const errors = validate(schema, parse(text));
      expect({ line, errors: errors.map((e) => e.message) }).toEqual({ line, errors: [] });
    },
  );

  it('finds indented blocks and reports what does not validate', () => {
    const sample = ['x', '  ```graphql', '  { health nope }', '  ```', ''].join('\n');
    const [block] = graphqlBlocks(sample);
    expect(block).toEqual({ line: 2, text: '{ health nope }' });
    expect(validate(schema, parse(block!.text)).map((e) => e.message)).toEqual([
      expect.stringContaining('Cannot query field "nope"'),
    ]);
  });
});
