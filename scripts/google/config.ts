/** What the Google Cloud Channel code generator keeps from the protos of google-proto-files. */
export const channelCodegen = {
  /** Entry files, relative to the google-proto-files package root. */
  protos: [
    'google/cloud/channel/v1/service.proto',
    'google/longrunning/operations.proto',
    'google/rpc/error_details.proto',
    'google/rpc/code.proto',
  ],
  outDir: 'generated/google',
  /**
   * Methods kept, by full name; a service listed with '*' keeps all of its methods. GetEntitlement
   * is there for the contract's `get` (reading an entitlement by name).
   */
  methods: {
    'google.cloud.channel.v1.CloudChannelService': ['CreateEntitlement', 'GetEntitlement'],
    'google.longrunning.Operations': ['*'],
  } as Record<string, readonly string[]>,
  /**
   * Messages kept although no field reaches them: a long-running operation's response and metadata
   * types (named by the method's `operation_info` option and packed in `Any`), and the
   * `google.rpc` error details a failed operation or call may carry in `Status.details`, and
   * `google.rpc.Code` (what `Status.code` holds: its names, numbers and HTTP mapping).
   */
  extraTypes: [
    'google.rpc.Code',
    'google.rpc.Status',
    'google.rpc.ErrorInfo',
    'google.rpc.BadRequest',
    'google.rpc.PreconditionFailure',
    'google.rpc.QuotaFailure',
    'google.rpc.RetryInfo',
    'google.rpc.ResourceInfo',
    'google.rpc.Help',
    'google.rpc.LocalizedMessage',
    'google.rpc.DebugInfo',
    'google.rpc.RequestInfo',
  ],
} as const;
