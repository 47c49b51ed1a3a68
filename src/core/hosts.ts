/** Which hosts are loopback: the only ones plain-text transports (emulators) may talk to. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * `host:port` or `[ipv6]:port` (port 1-65535). IPv6 hosts keep their brackets: that is how gRPC
 * addresses and the adapters' host options take them.
 */
export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]\s]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535) return undefined;
  return { host: match[1] as string, port };
}
