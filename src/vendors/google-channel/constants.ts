/** Cloud Channel constants the light modules need (no google-gax). */

/** The OAuth scope Cloud Channel's reseller methods need. */
export const APPS_ORDER_SCOPE = 'https://www.googleapis.com/auth/apps.order';
export const DEFAULT_ENDPOINT = 'cloudchannel.googleapis.com';

/** How the client talks to Cloud Channel: gRPC, or HTTP/JSON with the protos' http rules. */
export type Transport = 'grpc' | 'rest';
