/**
 * The bench's baseline for Google Cloud Channel: a client written on google-gax alone, the way a
 * generated (gapic) client is — GrpcClient, loadProtoJSON, createStub, createApiCall with a
 * LongrunningDescriptor for CreateEntitlement, an operations client from lro(), the routing header
 * per call — and none of this library's code. "Create + wait" is CreateEntitlement, then
 * GetOperation until done, and the finished operation's Entitlement decoded.
 *
 * Plain JavaScript (no type stripping), so that the cold-start children that load it pay for
 * google-gax only.
 */
import * as gax from 'google-gax';

const SERVICE = 'google.cloud.channel.v1.CloudChannelService';
const CONFIG = {
  interfaces: {
    [SERVICE]: {
      retry_codes: { non_idempotent: [] },
      retry_params: {
        default: {
          initial_retry_delay_millis: 100,
          retry_delay_multiplier: 1.3,
          max_retry_delay_millis: 60_000,
          initial_rpc_timeout_millis: 60_000,
          rpc_timeout_multiplier: 1,
          max_rpc_timeout_millis: 60_000,
          total_timeout_millis: 60_000,
        },
      },
      methods: {
        CreateEntitlement: {
          timeout_millis: 60_000,
          retry_codes_name: 'non_idempotent',
          retry_params_name: 'default',
        },
      },
    },
  },
};

/**
 * A gapic-style client of the Channel emulator on 127.0.0.1:`port`, from the protos JSON
 * `descriptor` (a client package ships one).
 */
export function createBareGaxClient(port, descriptor) {
  const auth = new gax.GoogleAuth({ authClient: new gax.googleAuthLibrary.PassThroughClient() });
  const options = {
    servicePath: '127.0.0.1',
    apiEndpoint: '127.0.0.1',
    port,
    sslCreds: gax.grpc.credentials.createInsecure(),
    auth,
  };
  const grpcClient = new gax.GrpcClient(options);
  const protos = grpcClient.loadProtoJSON(descriptor);
  const root = gax.protobuf.Root.fromJSON(descriptor);
  // setup() before decode.bind: generated clients bind a Type's decode before its first use, when
  // it is still the stub that generates the decoder, so every call generates it again. The baseline
  // is gax used well, not that.
  const entitlementType = root.lookupType('google.cloud.channel.v1.Entitlement').setup();
  const metadataType = root.lookupType('google.cloud.channel.v1.OperationMetadata').setup();
  const operationsClient = gax.lro({ auth, grpc: gax.grpc }).operationsClient(options);
  const longrunning = new gax.LongrunningDescriptor(
    operationsClient,
    entitlementType.decode.bind(entitlementType),
    metadataType.decode.bind(metadataType),
  );
  const defaults = grpcClient.constructSettings(SERVICE, CONFIG, {}, {});
  const stub = grpcClient.createStub(protos.google.cloud.channel.v1.CloudChannelService, options);
  const createEntitlementCall = gax.createApiCall(
    stub.then(
      (built) =>
        (...args) =>
          built.createEntitlement(...args),
    ),
    defaults.createEntitlement,
    longrunning,
  );
  const routed = (params) => ({
    retry: null,
    otherArgs: { headers: { 'x-goog-request-params': gax.routingHeader.fromParams(params) } },
  });
  return {
    createEntitlement: (request) => createEntitlementCall(request, routed({ parent: request.parent })),
    getOperation: (request) => operationsClient.getOperation(request, routed({ name: request.name })),
    decodeEntitlement: (any) => entitlementType.decode(any.value),
    async close() {
      (await stub).close();
      operationsClient.close();
    },
  };
}

/** CreateEntitlement for `parent`, GetOperation until done; resolves with the decoded Entitlement. */
export async function createAndWait(client, parent, offer) {
  const [handle] = await client.createEntitlement({
    parent,
    entitlement: { offer },
    requestId: crypto.randomUUID(),
  });
  handle.on('error', () => undefined);
  let operation = handle.latestResponse;
  while (!operation.done) [operation] = await client.getOperation({ name: operation.name });
  if (operation.error) throw new Error(`create failed: ${operation.error.message}`);
  return client.decodeEntitlement(operation.response);
}
