/** The test DNS server itself speaks correct DNS (checked with dns-packet over UDP and TCP). */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { fixtureZone } from '../support/zones.js';

let server: DnsServer;
beforeAll(async () => {
  server = await startDnsServer(
    fixtureZone({
      'big.org': { A: Array.from({ length: 40 }, (_, i) => `93.184.219.${i + 1}`) },
      'ttl.org': { A: ['93.184.219.200'], ttl: 42 },
    }),
  );
});
afterAll(() => server.close());

/** The decoded fields these tests read (dns-packet's types omit rcode and per-type data). */
interface Reply {
  rcode: string;
  flag_tc: boolean;
  questions?: Array<{ name: string }>;
  answers?: Array<{ name: string; type: string; ttl?: number; data?: unknown }>;
  authorities?: Array<{ type: string }>;
}
const decode = (buf: Buffer): Reply => dnsPacket.decode(buf) as unknown as Reply;

let nextId = 1;
function udpQuery(name: string, type: 'A' | 'AAAA' | 'MX', edns = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('timeout'));
    }, 1000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(decode(msg));
    });
    const packet = dnsPacket.encode({
      type: 'query',
      id: nextId++,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name, type }],
      additionals: edns ? [{ name: '.', type: 'OPT', udpPayloadSize: 4096, flags: 0, options: [] } as never] : [],
    });
    socket.send(packet, server.port, '127.0.0.1');
  });
}

function tcpQuery(name: string, type: 'A' | 'MX'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        socket.destroy();
        resolve(decode(buf.subarray(2)));
      }
    });
    socket.on('error', reject);
    socket.write(dnsPacket.streamEncode({ type: 'query', id: nextId++, questions: [{ name, type }] }));
  });
}

describe('test DNS server', () => {
  it('answers NXDOMAIN with an SOA in the authority section', async () => {
    const res = await udpQuery('missing.com', 'MX');
    expect(res.rcode).toBe('NXDOMAIN');
    expect(res.answers).toEqual([]);
    expect(res.authorities?.[0]?.type).toBe('SOA');
  });

  it('answers NODATA as NOERROR with no answer and an SOA', async () => {
    const res = await udpQuery('nodata.org', 'MX');
    expect(res.rcode).toBe('NOERROR');
    expect(res.answers).toEqual([]);
    expect(res.authorities?.[0]?.type).toBe('SOA');
    // An empty non-terminal (only children exist) is NODATA too, not NXDOMAIN.
    expect((await udpQuery('mailhost.net', 'A')).rcode).toBe('NOERROR');
  });

  it('chases CNAMEs in the zone and returns the chain, case-insensitively, with zone TTLs', async () => {
    const res = await udpQuery('MX.CnameMX.com', 'A');
    expect(res.questions?.[0]?.name).toBe('MX.CnameMX.com');
    expect(res.answers?.map((a) => a.type)).toEqual(['CNAME', 'A']);
    expect(res.answers?.[1]).toMatchObject({ name: 'inbound.mailhost.net', data: '198.41.0.4', ttl: 120 });
    expect((await udpQuery('ttl.org', 'A')).answers?.[0]?.ttl).toBe(42);
  });

  it('stores IDN names in punycode', async () => {
    const res = await udpQuery('xn--bcher-kva.com', 'MX');
    expect(res.answers?.[0]?.data).toEqual({ preference: 10, exchange: 'mx.xn--bcher-kva.com' });
  });

  it('sets TC on UDP answers over 512 bytes without EDNS, answers in full over TCP or with EDNS', async () => {
    const udp = await udpQuery('big.org', 'A');
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers).toEqual([]);
    expect((await tcpQuery('big.org', 'A')).answers).toHaveLength(40);
    const edns = await udpQuery('big.org', 'A', true);
    expect(edns.flag_tc).toBe(false);
    expect(edns.answers).toHaveLength(40);
  });

  it('logs queries and counts them by name and type', async () => {
    const before = server.count('amx.com', 'A');
    await udpQuery('AMX.com', 'A');
    expect(server.count('amx.com', 'A')).toBe(before + 1);
  });
});
