/** Types of bench/bare-gax.mjs. */
export interface BareGaxClient {
  createEntitlement(request: Record<string, unknown>): Promise<unknown>;
  getOperation(request: { name: string }): Promise<unknown>;
  decodeEntitlement(any: { value: Uint8Array }): { name?: string };
  close(): Promise<void>;
}

export function createBareGaxClient(port: number, descriptor: unknown): BareGaxClient;

export function createAndWait(
  client: BareGaxClient,
  parent: string,
  offer: string,
): Promise<{ name?: string }>;
