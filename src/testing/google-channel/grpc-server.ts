/**
 * The gRPC transport: `@grpc/grpc-js` serving the descriptor's `CloudChannelService` and
 * `google.longrunning.Operations` (service definitions from `@grpc/proto-loader`'s `fromJSON`),
 * insecure, on 127.0.0.1. Methods the emulator does not implement answer UNIMPLEMENTED (grpc-js's
 * default handler). Errors carry the encoded `google.rpc.Status` in `grpc-status-details-bin`.
 *
 * The emulator owns the listening socket and hands each connection to grpc-js (its connection
 * injector), so that closing can destroy every connection, including one that never started
 * HTTP/2 (which grpc-js alone would wait for forever).
 */

import { createServer, type Socket } from 'node:net';
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { listen } from '../listen.ts';
import type { CallHandler, CallOutcome, RunningServer } from './calls.ts';
import {
  CHANNEL_DESCRIPTOR,
  CHANNEL_METHODS,
  type ChannelMethod,
  METHOD_SERVICES,
  OBJECT_OPTIONS,
  SERVICE_NAMES,
} from './descriptor.ts';
import { Code, encodeStatus } from './errors.ts';

/** The metadata key of the routing header Google clients send. */
const ROUTING_HEADER = 'x-goog-request-params';
/** The trailer that carries the encoded `google.rpc.Status`. */
const STATUS_DETAILS = 'grpc-status-details-bin';

function routingHeader(metadata: Metadata): string | undefined {
  const values = metadata.get(ROUTING_HEADER).map((value) => value.toString());
  return values.length === 0 ? undefined : values.join(',');
}

function answer(outcome: CallOutcome, callback: sendUnaryData<object>): void {
  switch (outcome.kind) {
    case 'ok':
      callback(null, outcome.response);
      return;
    case 'error': {
      const metadata = new Metadata();
      metadata.set(STATUS_DETAILS, encodeStatus(outcome.status));
      callback({ code: outcome.status.code, details: outcome.status.message, metadata });
      return;
    }
    case 'closed':
      callback({ code: Code.UNAVAILABLE, details: 'The emulator is shutting down.' });
  }
}

/** Serves `handle` over gRPC on `host:port` (`0`: a free port). */
export async function startGrpcServer(
  host: string,
  port: number,
  handle: CallHandler,
): Promise<RunningServer> {
  const definitions = fromJSON(CHANNEL_DESCRIPTOR, { ...OBJECT_OPTIONS });
  const server = new Server();
  for (const serviceName of SERVICE_NAMES) {
    const definition = definitions[serviceName] as unknown as ServiceDefinition | undefined;
    if (!definition) continue;
    const implementation: UntypedServiceImplementation = {};
    for (const method of CHANNEL_METHODS) {
      if (METHOD_SERVICES[method] !== serviceName || !(method in definition)) continue;
      implementation[method] = (
        call: ServerUnaryCall<Record<string, unknown>, object>,
        callback: sendUnaryData<object>,
      ) => {
        handle({
          transport: 'grpc',
          method: method as ChannelMethod,
          routingHeader: routingHeader(call.metadata),
          request: call.request,
        }).then(
          (outcome) => answer(outcome, callback),
          (error: unknown) =>
            callback({
              code: Code.INTERNAL,
              details: `emulator error: ${(error as Error)?.message ?? error}`,
            }),
        );
      };
    }
    server.addService(definition, implementation);
  }

  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const sockets = new Set<Socket>();
  const listener = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    injector.injectConnection(socket);
  });
  const boundPort = await listen(listener, host, port);

  let closed: Promise<void> | undefined;
  return {
    port: boundPort,
    close() {
      closed ??= new Promise<void>((resolve) => {
        // Stop listening; cancel the calls in progress and end every connection, HTTP/2 or not.
        listener.close(() => resolve());
        injector.destroy();
        server.forceShutdown();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
