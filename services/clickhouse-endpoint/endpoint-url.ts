/**
 * The URL a local client reaches the analysts' endpoint at: the endpoint to announce itself, and
 * `truc sql` to find it. A wildcard listening address is reached on the loopback of its family.
 */
export function endpointUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
