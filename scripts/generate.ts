/**
 * `npm run generate` regenerates everything in generated/ from the vendors' specs;
 * `npm run generate -- --check` writes nothing and fails when generated/ is stale.
 */
import { parseArgs } from 'node:util';
import { confluentCodegen } from './confluent/config.ts';
import { generateConfluent } from './confluent/pipeline.ts';
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
const channel = generateChannel(channelCodegen);
const files = new Map([...confluent.files, ...channel.files]);

if (!values.quiet) {
  const applied = Object.entries(confluent.report)
    .map(([name, count]) => `${name}=${count}`)
    .join(' ');
  console.log(`confluent: normalisations ${applied}`);
  console.log(
    `google: kept ${channel.kept} proto types for CreateEntitlement and google.longrunning.Operations`,
  );
}

if (values.check) {
  const stale = await staleFiles(files);
  if (stale.length > 0) {
    console.error(`generated/ is stale: ${stale.join(', ')}\nrun \`npm run generate\` and commit the result`);
    process.exit(1);
  }
  console.log(`generated/ is up to date (${files.size} files)`);
} else {
  await writeFiles(files);
  console.log(`wrote ${[...files.keys()].join(', ')}`);
}
