/**
 * The webhook guard's pieces: the address classifier over every range and spelling, the URL check
 * as the WHATWG parser reads hosts, and the connection guard of the delivery's http agent against
 * real loopback listeners (127.0.0.2 is never allow-listed here: nothing may reach it).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNonPublicAddress } from '../../services/platform/non-public-addresses.ts';
import { NOT_ALLOWED_DESTINATION, guardAgent, webhookHostProblem, webhookUrlProblem } from '../../services/platform/webhook-target.ts';
import { canonicalHost } from '../../services/platform/config.ts';

const BLOCKED_V4 = [
  '0.0.0.0', '0.1.2.3', '10.0.0.1', '10.255.255.255', '100.64.0.1', '100.127.255.255', '127.0.0.1', '127.0.0.2', '127.255.255.254',
  '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.0.0.1', '192.0.2.1', '192.168.1.1', '198.18.0.1', '198.19.255.255',
  '198.51.100.1', '203.0.113.1', '224.0.0.1', '239.255.255.255', '240.0.0.1', '255.255.255.255',
];
const PUBLIC_V4 = [
  '8.8.8.8', '9.255.255.255', '11.0.0.1', '100.63.255.255', '100.128.0.1', '126.255.255.255', '128.0.0.1', '169.253.255.255',
  '172.15.255.255', '172.32.0.1', '192.0.1.1', '192.0.3.1', '192.167.1.1', '198.17.255.255', '198.20.0.1', '203.113.131.1', '223.255.255.255',
];
const BLOCKED_V6 = [
  '::', '::1', '::7f00:1', '::a00:1', '::808:808', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:8.8.8.8', '::ffff:0:a00:1',
  '64:ff9b::a00:1', '64:ff9b::7f00:1', '64:ff9b::808:808', '64:ff9b:1::1', '64:ff9b:1:ffff::1', '100::1', '2001::1', '2001:0:4136:e378::1',
  '2001:db8::1', '2001:db8:ffff::1', '2002:a00:1::', '2002:7f00:1::1', '2002:808:808::1', 'fc00::1', 'fd12:3456::1', 'fec0::1', 'feff::1',
  'fe80::1', 'fe80::1%lo', 'febf::1', 'ff02::1', 'ff0e::1',
];
const PUBLIC_V6 = ['2001:4860:4860::8888', '2606:4700:4700::1111', '2400:cb00::1', '2003::1', '64:ff9c::1', 'fbff::1'];

describe('non-public addresses', () => {
  it('blocks every IPv4 range that is not public unicast, and only those', () => {
    for (const address of BLOCKED_V4) expect(isNonPublicAddress(address), address).toBe(true);
    for (const address of PUBLIC_V4) expect(isNonPublicAddress(address), address).toBe(false);
  });

  it('blocks every IPv6 form that is, embeds or translates such an address, and only those', () => {
    for (const address of BLOCKED_V6) expect(isNonPublicAddress(address), address).toBe(true);
    for (const address of PUBLIC_V6) expect(isNonPublicAddress(address), address).toBe(false);
  });

  it('counts anything that is not an IP address as blocked', () => {
    for (const text of ['', 'localhost', '127.1', '0x7f000001', '1.2.3.4.5', '[::1]']) expect(isNonPublicAddress(text), text).toBe(true);
  });
});

describe('webhook URLs', () => {
  it('reads the host as the URL parser does: decimal, octal, hex and short IPv4, IPv6 with embedded IPv4', () => {
    const refused = [
      'https://0x7f000001/', 'https://2130706433/', 'https://0177.0.0.1/', 'https://127.1/', 'https://0/', 'https://0x0a.0.0.1/',
      'https://[::ffff:127.0.0.1]/', 'https://[::ffff:7f00:1]/', 'https://[::127.0.0.1]/', 'https://[::1]/', 'https://[::]/',
      'https://[64:ff9b::a00:1]/', 'https://[64:ff9b::10.0.0.1]/', 'https://[2002:a00:1::]/', 'https://[2001:0:4136:e378::1]/',
      'https://[fec0::1]/', 'https://[fe80::1]/', 'https://[fd00::1]/', 'https://[ff02::1]/', 'https://[2001:db8::1]/',
      'https://169.254.169.254/latest/meta-data', 'https://10.1.2.3/hook', 'https://100.64.0.1/', 'https://198.18.0.1/', 'https://203.0.113.9/',
    ];
    for (const url of refused) expect(webhookUrlProblem(url, []), url).toBe(NOT_ALLOWED_DESTINATION);
    for (const url of ['http://0x7f000001/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/', 'http://[64:ff9b::a00:1]/', 'http://[2002:a00:1::]/', 'http://[fec0::1]/']) {
      expect(webhookUrlProblem(url, []), url).toMatch(/must be an https:\/\/ URL/);
    }
    expect(webhookUrlProblem('https://8.8.8.8/hook', [])).toBeNull();
    expect(webhookUrlProblem('https://[2001:4860:4860::8888]/hook', [])).toBeNull();
    expect(webhookUrlProblem('https://receiver.example.org/hook', [])).toBeNull();
  });

  it('admits an allow-listed host however the URL spells it, and only that host', () => {
    const allow = [canonicalHost('127.0.0.1')!, canonicalHost('[0:0::1]')!];
    expect(webhookUrlProblem('http://127.0.0.1:9/hook', allow)).toBeNull();
    expect(webhookUrlProblem('http://0x7f000001:9/hook', allow)).toBeNull();
    expect(webhookUrlProblem('http://[::1]:9/hook', allow)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.2:9/hook', allow)).toMatch(/must be an https:\/\/ URL/);
    expect(webhookUrlProblem('https://127.0.0.2:9/hook', allow)).toBe(NOT_ALLOWED_DESTINATION);
    expect(webhookUrlProblem('https://[::ffff:127.0.0.1]/hook', allow)).toBe(NOT_ALLOWED_DESTINATION);
  });

  it('refuses other schemes, credentials and non-URLs', () => {
    expect(webhookUrlProblem('http://8.8.8.8/hook', [])).toMatch(/https/);
    expect(webhookUrlProblem('ftp://8.8.8.8/hook', [])).toMatch(/https/);
    expect(webhookUrlProblem('https://u:p@8.8.8.8/hook', [])).toMatch(/user name/);
    expect(webhookUrlProblem('not a url', [])).toMatch(/not a URL/);
  });

  it('refuses a host name that resolves to a blocked address, without saying what it resolved to', async () => {
    const problem = await webhookHostProblem('https://localhost/hook', []);
    expect(problem).toBe(NOT_ALLOWED_DESTINATION);
    expect(problem).not.toMatch(/127\.|::1/);
    expect(await webhookHostProblem('http://localhost/hook', ['localhost'])).toBeNull();
    // IP literals were judged by webhookUrlProblem; no lookup for them.
    expect(await webhookHostProblem('https://8.8.8.8/hook', [])).toBeNull();
  });
});

describe('connection guard of the webhook agent', () => {
  let server: http.Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    server = http.createServer((_request, response) => response.writeHead(204).end());
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function post(url: string, allowHosts: string[]): Promise<number> {
    const secure = url.startsWith('https:');
    const agent = secure ? new https.Agent() : new http.Agent();
    guardAgent(agent, allowHosts);
    return new Promise<number>((resolve, reject) => {
      const request = (secure ? https : http).request(new URL(url), { method: 'POST', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.end('{}');
    }).finally(() => agent.destroy());
  }

  it('refuses IP literals in every spelling before connecting, and host names resolving to them', async () => {
    for (const host of ['127.0.0.2', '0x7f000002', '2130706434', '0177.0.0.2', '127.2']) {
      await expect(post(`http://${host}:${port}/hook`, []), host).rejects.toThrow(NOT_ALLOWED_DESTINATION);
    }
    await expect(post(`http://localhost:${port}/hook`, [])).rejects.toThrow(NOT_ALLOWED_DESTINATION);
    // The https agent is guarded the same way (refused before any TLS handshake could start).
    for (const host of ['127.0.0.2', '0x7f000002', '[::ffff:127.0.0.2]', 'localhost']) {
      await expect(post(`https://${host}:${port}/hook`, []), host).rejects.toThrow(NOT_ALLOWED_DESTINATION);
    }
    expect(connections).toBe(0);
  });

  it('connects to an allow-listed host', async () => {
    expect(await post(`http://127.0.0.2:${port}/hook`, ['127.0.0.2'])).toBe(204);
    expect(connections).toBe(1);
  });
});
