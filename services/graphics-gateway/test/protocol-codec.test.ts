// The wire format: every packet type survives a round trip byte for byte, and whatever the
// internet throws at the decoder (truncations, oversize, garbage) comes back as a DecodeError.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  COOKIE_SIZE, CONNECT_REQUEST_SIZE, DecodeError, Endpoint, HEADER_SIZE, MAX_REJECT_TEXT, MAX_TOKEN_BYTES, MTU, PROTOCOL_VERSION,
  decodeDelta, decodePacket, encodeDelta, encodePacket, type Packet,
} from '@loom/netcode';
import { mulberry32 } from '@loom/netcode/testing/prng.ts';
import { CookieJar } from '../src/protocol/index.ts';

const cookie = Uint8Array.from({ length: COOKIE_SIZE }, (_, i) => i * 7);
const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl';
const samples: Packet[] = [
  { type: 'connect_request', nonce: 0x0123456789abcdefn },
  { type: 'challenge', nonce: 0xffffffffffffffffn, cookie },
  { type: 'challenge_response', nonce: 1n, cookie, token: jwt },
  { type: 'accept', nonce: 99n, sessionId: 0xdeadbeef, serverTick: 123456, tickRate: 60 },
  { type: 'reject', reason: 1, text: 'server speaks protocol version 1' },
  { type: 'data', sessionId: 7, seq: 65535, ack: 0, ackBits: 0x80000001, frames: [] },
  {
    type: 'data', sessionId: 7, seq: 3, ack: 2, ackBits: 1,
    frames: [
      { kind: 'unreliable', payload: Uint8Array.of(1, 2, 3) },
      { kind: 'reliable', messageId: 65535, fragmentIndex: 2, fragmentCount: 3, payload: new Uint8Array(1024).fill(9) },
      { kind: 'reliable', messageId: 0, fragmentIndex: 0, fragmentCount: 1, payload: new Uint8Array(0) },
    ],
  },
  { type: 'disconnect', sessionId: 0xffffffff, reason: 2 },
];

const isDecodeError = (v: unknown): v is DecodeError => v instanceof DecodeError;

describe('graphics protocol codec', () => {
  it('round-trips every packet type, and re-encodes to the same bytes', () => {
    for (const packet of samples) {
      const bytes = encodePacket(packet);
      assert.ok(bytes.length <= MTU);
      assert.deepEqual([...bytes.subarray(0, 3)], [0x4c, 0x4d, PROTOCOL_VERSION]);
      const decoded = decodePacket(bytes);
      assert.ok(!isDecodeError(decoded), `${packet.type}: ${String(decoded)}`);
      assert.deepEqual(normalize(decoded), normalize(packet));
      assert.deepEqual(encodePacket(decoded), bytes);
    }
  });

  it('never lets a server reply to an unverified address outgrow the request (no amplification)', () => {
    const request = encodePacket(samples[0]!);
    assert.equal(request.length, CONNECT_REQUEST_SIZE);
    assert.ok(encodePacket(samples[1]!).length <= request.length);
    const longest = encodePacket({ type: 'reject', reason: 2, text: 'é'.repeat(200) });
    assert.equal(longest.length, HEADER_SIZE + 2 + MAX_REJECT_TEXT);
    assert.ok(longest.length <= request.length);
  });

  it('refuses to encode what cannot be sent: a token over the limit, a datagram over the MTU', () => {
    assert.throws(() => encodePacket({ type: 'challenge_response', nonce: 1n, cookie, token: 'x'.repeat(MAX_TOKEN_BYTES + 1) }), RangeError);
    const big = { kind: 'reliable' as const, messageId: 0, fragmentIndex: 0, fragmentCount: 1, payload: new Uint8Array(1024) };
    assert.throws(() => encodePacket({ type: 'data', sessionId: 1, seq: 0, ack: 0, ackBits: 0, frames: [big, big] }), RangeError);
  });

  it('reports every truncation of every packet as a DecodeError', () => {
    for (const packet of samples) {
      const bytes = encodePacket(packet);
      for (let n = 0; n < bytes.length; n++) {
        const result = decodePacket(bytes.subarray(0, n));
        // A DATA packet cut exactly between frames is still a valid DATA packet with fewer frames.
        if (packet.type === 'data' && !isDecodeError(result)) continue;
        assert.ok(isDecodeError(result), `${packet.type} cut to ${n} bytes decoded`);
      }
    }
  });

  it('names the problem: oversized, bad magic, version, unknown type, trailing bytes, bad fields', () => {
    const code = (bytes: Uint8Array) => (decodePacket(bytes) as DecodeError).code;
    assert.equal(code(new Uint8Array(MTU + 1)), 'oversized');
    assert.equal(code(Uint8Array.of(0x47, 0x45, 0x54, 0x20)), 'bad_magic');
    const future = encodePacket(samples[0]!);
    future[2] = PROTOCOL_VERSION + 1;
    const error = decodePacket(future) as DecodeError;
    assert.equal(error.code, 'version');
    assert.deepEqual(error.detail, { version: PROTOCOL_VERSION + 1, packetType: 1 });
    assert.equal(code(Uint8Array.of(0x4c, 0x4d, PROTOCOL_VERSION, 99)), 'unknown_type');
    assert.equal(code(Uint8Array.of(...encodePacket(samples[7]!), 0)), 'trailing');
    const padded = encodePacket(samples[0]!);
    padded[CONNECT_REQUEST_SIZE - 1] = 1;
    assert.equal(code(padded), 'malformed');
    const data = encodePacket({ type: 'data', sessionId: 1, seq: 0, ack: 0, ackBits: 0, frames: [{ kind: 'reliable', messageId: 0, fragmentIndex: 0, fragmentCount: 1, payload: Uint8Array.of(1) }] });
    data[16 + 3] = 5; // fragment index 5 of 1
    assert.equal(code(data), 'malformed');
    data[16] = 9; // frame kind 9
    assert.equal(code(data), 'unknown_type');
    const badUtf8 = encodePacket({ type: 'reject', reason: 1, text: 'ab' });
    badUtf8[6] = 0xff;
    assert.equal(code(badUtf8), 'malformed');
  });

  it('survives thousands of random and mutated datagrams with DecodeErrors only', () => {
    const random = mulberry32(1234);
    const valid = samples.map(encodePacket);
    let decoded = 0;
    for (let i = 0; i < 5000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = Uint8Array.from({ length: Math.floor(random() * 1400) }, () => Math.floor(random() * 256));
        if (i % 4 === 0 && bytes.length >= 4) bytes.set([0x4c, 0x4d, PROTOCOL_VERSION, 1 + Math.floor(random() * 7)]);
      } else {
        bytes = valid[i % valid.length]!.slice(); // flip a few bytes of a real packet
        for (let k = 0; k < 1 + random() * 4; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      const result = decodePacket(bytes); // throws only on a bug, failing the test
      if (!isDecodeError(result)) decoded++;
      const delta = decodeDelta(bytes, () => undefined);
      assert.ok(isDecodeError(delta) || Array.isArray(delta.entities));
    }
    assert.ok(decoded > 0, 'mutations of valid packets sometimes stay valid');
  });
});

describe('docs/protocol.md', () => {
  it('shows, in its worked example, exactly the bytes the encoder produces', () => {
    const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    // Each code block's bytes: the leading two-digit hex tokens of each line (annotations follow).
    const blocks = doc.split('```').filter((_, i) => i % 2 === 1).map((block) =>
      block.split('\n').map((line) => {
        const tokens = line.trim().split(/\s+/);
        const end = tokens.findIndex((t) => !/^[0-9a-f]{2}$/.test(t));
        return tokens.slice(0, end === -1 ? tokens.length : end).join('');
      }).join(''));
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const nonce = 0x0123456789abcdefn;
    const cookie = new CookieJar(new Uint8Array(32).fill(7)).mint('203.0.113.5', 40000, nonce, 1_700_000_000_000);
    const client = new Endpoint({ sessionId: 0x1a2b3c4d });
    const server = new Endpoint({ sessionId: 0x1a2b3c4d });
    const keepalive = client.tick(0)[0]!;
    server.receive(client.tick(1000)[0]!, 1000); // the first keepalive was lost; seq 1 arrives
    server.send('unreliable', encodeDelta({ tick: 100, entities: [{ id: 1, x: 150, y: 0, z: -250, yaw: 16384, flags: 1 }] }), 100);
    server.send('reliable', new TextEncoder().encode('hi'));
    const expected = [
      encodePacket({ type: 'challenge', nonce, cookie }),
      encodePacket({ type: 'challenge_response', nonce, cookie, token: 'aaa.bbb.ccc' }),
      encodePacket({ type: 'accept', nonce, sessionId: 0x1a2b3c4d, serverTick: 5000, tickRate: 60 }),
      keepalive,
      server.tick(1016)[0]!,
      encodePacket({ type: 'reject', reason: 3, text: 'token expired' }),
    ];
    for (const bytes of expected) assert.ok(blocks.includes(hex(bytes)), `docs lack ${hex(bytes)}`);
    assert.ok(blocks.some((b) => hex(encodePacket({ type: 'connect_request', nonce })).startsWith(b) && b.length >= 24));
    const x151 = encodeDelta({ tick: 101, entities: [{ id: 1, x: 151, y: 0, z: -250, yaw: 16384, flags: 1 }] }, { tick: 100, entities: [{ id: 1, x: 150, y: 0, z: -250, yaw: 16384, flags: 1 }] });
    assert.ok(doc.includes(hex(x151).replace(/(..)(?!$)/g, '$1 ')), 'the one-field delta example');
  });
});

/** Decoded byte fields are views; compare contents. */
function normalize(packet: Packet): unknown {
  return JSON.parse(JSON.stringify(packet, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v)));
}
