/**
 * `npm run generate` regenerates everything in generated/ from the vendors' specs;
 * `npm run generate -- --check` writes nothing and fails when generated/ is stale.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { confluentCodegen } from './confluent/config.ts';
import { normalizations } from './confluent/normalizations.ts';
import { generateConfluent } from './confluent/pipeline.ts';
import { diffOperations, formatChanges, isDocument } from './confluent/spec-diff.ts';
import { channelCodegen } from './google/config.ts';
import { generateChannel } from './google/pipeline.ts';
import { staleFiles, writeFiles } from './lib/output.ts';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    'confluent-spec': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const confluent = await generateConfluent({
  ...confluentCodegen,
  spec: values['confluent-spec'] ?? confluentCodegen.spec,
});
const previous = await readFile(path.join(confluentCodegen.outDir, 'openapi.json'), 'utf8')
  .then((text) => JSON.parse(text) as unknown)
  .catch(() => undefined);
const changeReport = [
  'confluent: what changed in the operations the library uses, against the generated/ this replaces:',
  ...(isDocument(previous)
    ? formatChanges(diffOperations(previous, confluent.document, confluentCodegen.operationIds))
    : ['  nothing to compare with (no readable openapi.json there)']),
];
const channel = generateChannel(channelCodegen);
const files = new Map([...confluent.files, ...channel.files]);

if (!values.quiet) {
  console.log('confluent: normalisations of the vendor YAML (places changed):');
  for (const { name, description } of normalizations)
    console.log(`  ${name}=${confluent.report[name] ?? 0}: ${description}`);
  console.log(changeReport.join('\n'));
  console.log(
    `google: kept ${channel.kept} proto types for CreateEntitlement and google.longrunning.Operations`,
  );
}

if (values.check) {
  const stale = await staleFiles(files);
  if (stale.length > 0) {
    console.error(changeReport.join('\n'));
    console.error(`generated/ is stale: ${stale.join(', ')}\nrun \`npm run generate\` and commit the result`);
    process.exit(1);
  }
  console.log(`generated/ is up to date (${files.size} files)`);
} else {
  await writeFiles(files);
  console.log(`wrote ${[...files.keys()].join(', ')}`);
}
