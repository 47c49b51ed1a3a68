/**
 * Child process of the Google bench: builds a Cloud Channel gax client from the pruned descriptor
 * (`pruned`) or from the full channel protos (`full`) and prints how long construction took, from
 * loading the descriptor to a ready service stub. One measurement per process: gax and protobufjs
 * cache loaded protos.
 */
import * as gax from 'google-gax';

const [kind, port] = process.argv.slice(2);
let descriptor: gax.protobuf.INamespace;
if (kind === 'full') {
  // Built before the clock starts: the full descriptor as a client package would ship it.
  const { loadProtos } = await import('../scripts/google/pipeline.ts');
  descriptor = loadProtos([
    'google/cloud/channel/v1/service.proto',
    'google/longrunning/operations.proto',
  ]).toJSON();
} else {
  descriptor = (await import('../generated/google/channel.json', { with: { type: 'json' } }))
    .default as gax.protobuf.INamespace;
}
const text = JSON.stringify(descriptor);

const started = performance.now();
const options = {
  servicePath: '127.0.0.1',
  port: Number(port),
  sslCreds: gax.grpc.credentials.createInsecure(),
  auth: new gax.GoogleAuth({ authClient: new gax.googleAuthLibrary.PassThroughClient() }),
};
const grpcClient = new gax.GrpcClient(options);
const proto = grpcClient.loadProtoJSON(JSON.parse(text)) as unknown as {
  google: { cloud: { channel: { v1: { CloudChannelService: unknown } } } };
};
const stub = await grpcClient.createStub(
  proto.google.cloud.channel.v1.CloudChannelService as never,
  options as never,
);
const elapsed = performance.now() - started;
(stub as { close?: () => void }).close?.();
process.stdout.write(`${JSON.stringify({ kind, ms: elapsed, bytes: text.length })}\n`);
