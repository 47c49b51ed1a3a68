/**
 * Cloud Channel configuration from environment variables, read only when the vendor is enabled:
 * `CLOUD_CHANNEL_EMULATOR_HOST=host:port` (an emulator: plain text, loopback only) and
 * `CLOUD_CHANNEL_TRANSPORT=grpc|rest`. A value that is not one of those is refused, naming the
 * variable: a typo must not silently fall back to the default. Credentials come from Application
 * Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud, the metadata server).
 */
import { EntitlementError } from '../../core/errors.ts';
import { parseHostPort } from '../../core/hosts.ts';
import type { Transport } from './constants.ts';
import { GOOGLE_CHANNEL } from './types.ts';

export interface GoogleChannelEnvironment {
  apiEndpoint?: string;
  port?: number;
  insecure?: boolean;
  transport?: Transport;
}

function misconfigured(message: string): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: GOOGLE_CHANNEL, message });
}

export function googleChannelFromEnvironment(
  env: Record<string, string | undefined>,
): GoogleChannelEnvironment {
  const result: GoogleChannelEnvironment = {};
  const emulator = env.CLOUD_CHANNEL_EMULATOR_HOST;
  if (emulator) {
    const endpoint = parseHostPort(emulator);
    if (!endpoint) {
      throw misconfigured(
        `CLOUD_CHANNEL_EMULATOR_HOST must be host:port (a port from 1 to 65535), not ${JSON.stringify(emulator.slice(0, 100))}. Fix or unset it.`,
      );
    }
    Object.assign(result, { apiEndpoint: endpoint.host, port: endpoint.port, insecure: true });
  }
  const transport = env.CLOUD_CHANNEL_TRANSPORT;
  if (transport) {
    if (transport !== 'grpc' && transport !== 'rest')
      throw misconfigured(
        `CLOUD_CHANNEL_TRANSPORT must be "grpc" or "rest", not ${JSON.stringify(transport.slice(0, 40))}. Fix or unset it.`,
      );
    result.transport = transport;
  }
  return result;
}
