/**
 * The pure parts under the file readers: the word-at-a-time sample scan against a plain sample-by-sample one,
 * the edge list, exact retiming, sample rates, metadata and chunk order.
 */
import { expect, test } from '@playwright/test';
import { EdgeList } from '../../harness/signals/edge-list.js';
import { EdgeScanner, type Unitsize } from '../../harness/signals/edge-scan.js';
import { retime } from '../../harness/signals/retime.js';
import { SampleRenderer } from '../../harness/signals/sample-render.js';
import { formatSrMetadata, parseSamplerate, parseSrMetadata, srChunkNames } from '../../harness/signals/srzip.js';
import { formatSamplerate } from '../../harness/signals/units.js';
import { makeWaveform } from '../../harness/signals/waveform.js';
import { random } from '../support/random.js';
import { expectSameWaveform, randomWaveform } from './support.js';

/** The obvious decoder: every sample, every bit. */
function plainScan(bytes: Uint8Array, unitsize: number, bits: readonly number[]) {
  const sample = (i: number) => {
    let v = 0;
    for (let b = unitsize - 1; b >= 0; b--) v = v * 256 + bytes[i * unitsize + b]!;
    return v;
  };
  const length = bytes.length / unitsize;
  return bits.map((bit) => {
    const level = (i: number) => Math.floor(sample(i) / 2 ** bit) % 2;
    const edges: number[] = [];
    for (let i = 1; i < length; i++) if (level(i) !== level(i - 1)) edges.push(i);
    return { bit, initial: length > 0 ? level(0) : 0, edges };
  });
}

/** Logic-like bytes: runs of random length, bursts, and bits that never change. */
function logicBytes(count: number, seed: number): Uint8Array {
  const next = random(seed);
  const bytes = new Uint8Array(count);
  for (let i = 1; i < count; i++) bytes[i] = next() < 0.05 ? bytes[i - 1]! ^ (1 << Math.floor(next() * 8)) : next() < 0.01 ? Math.floor(next() * 256) : bytes[i - 1]!;
  return bytes;
}

test.describe('EdgeScanner', () => {
  for (const unitsize of [1, 2, 4] as Unitsize[]) {
    test(`unitsize ${unitsize}: same edges as a plain scan, for any split and alignment`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const next = random(seed * 31);
        const bytes = logicBytes(unitsize * 20_011, seed);
        // Some bits only, with gaps; the others hold changing garbage that must not show.
        const bits = Array.from({ length: unitsize * 8 }, (_, b) => b).filter(() => next() < 0.5);
        const scanner = new EdgeScanner(unitsize, bits);
        for (let at = 0; at < bytes.length; ) {
          // Pieces of any length, even cutting samples in two; chunks end on whole samples.
          const size = Math.min(bytes.length - at, 1 + Math.floor(next() * 1200));
          // Copy behind 0-3 bytes of padding so that pieces start at every alignment.
          const pad = Math.floor(next() * 4);
          const piece = new Uint8Array(size + pad).subarray(pad);
          piece.set(bytes.subarray(at, at + size));
          scanner.push(piece);
          at += size;
          if (at % unitsize === 0 && next() < 0.2) scanner.endChunk(`chunk ending at ${at}`);
        }
        scanner.endChunk('last chunk');
        const scanned = scanner.finish();
        expect(scanned.length).toBe(20_011);
        expect(scanned.channels.map((c) => ({ bit: c.bit, initial: c.initial, edges: Array.from(c.sink.toArray()) })), `seed ${seed}, bits ${bits}`).toEqual(
          plainScan(bytes, unitsize, bits),
        );
      }
    });
  }

  test('bit 31 of a 4-byte sample', () => {
    const samples = new Uint32Array([0, 0x80000000, 0x80000000, 0, 0x80000001]);
    const scanner = new EdgeScanner(4, [0, 31]);
    scanner.push(new Uint8Array(samples.buffer));
    expect(scanner.finish().channels.map((c) => Array.from(c.sink.toArray()))).toEqual([[4], [1, 3, 4]]);
  });

  test('a chunk that ends inside a sample names the chunk', () => {
    const scanner = new EdgeScanner(4, [0]);
    scanner.push(new Uint8Array(4));
    scanner.endChunk('x.sr [logic-1-6]');
    scanner.push(new Uint8Array(2));
    scanner.push(new Uint8Array(4));
    expect(() => scanner.endChunk('x.sr [logic-1-7]')).toThrow(
      expect.objectContaining({ where: 'x.sr [logic-1-7]', problem: '6 bytes is not a whole number of 4-byte samples (unitsize 4)' }),
    );
  });
});

test('SampleRenderer and EdgeScanner invert each other, in chunks of any size', () => {
  for (const [channels, unitsize] of [[3, 1], [16, 2], [32, 4]] as const) {
    const waveform = randomWaveform({ rate: 1000, length: 3001, channels, meanGap: 25, seed: channels });
    const renderer = new SampleRenderer(waveform, unitsize);
    const scanner = new EdgeScanner(unitsize, waveform.channels.map((_, bit) => bit));
    for (let n = 1; renderer.remaining > 0; n = (n * 7) % 97 + 1) scanner.push(renderer.next(n));
    const scanned = scanner.finish();
    expectSameWaveform(
      makeWaveform(1000, scanned.length, scanned.channels.map((c, i) => ({ name: `D${i}`, initial: c.initial, edges: c.sink.toArray() }))),
      waveform,
    );
  }
});

test.describe('EdgeList', () => {
  test('grows, takes back, and widens to Float64 for ticks beyond 2^32 - 1', () => {
    const list = new EdgeList();
    for (let t = 1; t <= 5000; t++) list.push(t * 3);
    list.pop();
    expect(list.last()).toBe(4999 * 3);
    list.widen();
    list.push(2 ** 40);
    const edges = list.toArray();
    expect(edges).toBeInstanceOf(Float64Array);
    expect(edges.length).toBe(5000);
    expect(edges[0]).toBe(3);
    expect(edges[4999]).toBe(2 ** 40);
  });

  test('an empty list', () => {
    const list = new EdgeList();
    expect(list.last()).toBe(-1);
    expect(Array.from(list.toArray())).toEqual([]);
  });
});

test.describe('retime', () => {
  test('rounds to the nearest tick, halves up, exactly', () => {
    const w = makeWaveform(1e10, 1_000_000, [{ name: 'a', initial: 0, edges: [6667, 12500, 20833, 416666] }]);
    // 100 ps ticks to 24 MHz samples: 16.0008, 30, 49.9992, 999.9984
    expect(Array.from(retime(w, 24_000_000).channels[0]!.edges)).toEqual([16, 30, 50, 1000]);
    expect(retime(makeWaveform(4, 8, [{ name: 'a', initial: 0, edges: [1, 3, 5] }]), 2).channels[0]!.edges).toEqual(new Uint32Array([1, 2, 3]));
  });

  test('stays exact where tick × rate passes 2^53', () => {
    const t = 2 ** 52 + 1;
    const w = makeWaveform(1250, 2 ** 53, [{ name: 'a', initial: 0, edges: [t] }]);
    const edge = retime(w, 3).channels[0]!.edges[0]!;
    expect(BigInt(edge)).toBe((BigInt(t) * 3n * 2n + 1250n) / 2500n);
  });

  test('ticks beyond 2^53 at the new rate are an error', () => {
    const w = makeWaveform(1e6, 2 ** 40, [{ name: 'a', initial: 0, edges: [] }]);
    expect(() => retime(w, 1e15, 'x')).toThrow(expect.objectContaining({ where: 'x', problem: expect.stringContaining('2^53') }));
  });

  test('timescales of 10 s and up (fractional rates) convert too', () => {
    expect(Array.from(retime(makeWaveform(0.1, 5, [{ name: 'a', initial: 0, edges: [2] }]), 1).channels[0]!.edges)).toEqual([20]);
  });

  test('two edges on one tick are an error naming the channel', () => {
    const w = makeWaveform(1e9, 1000, [{ name: 'clk', initial: 0, edges: [100, 101] }]);
    expect(() => retime(w, 1e6, 'x.vcd')).toThrow(expect.objectContaining({ where: 'x.vcd', problem: expect.stringContaining('channel clk') }));
  });
});

test.describe('sample rates', () => {
  for (const [text, hz] of [
    ['24 MHz', 24_000_000],
    ['24MHz', 24_000_000],
    ['1.234567 MHz', 1_234_567],
    ['500 Hz', 500],
    ['1 GHz', 1_000_000_000],
    ['625 kHz', 625_000],
    ['20 kHz', 20_000],
  ] as const) {
    test(`"${text}" is ${hz} Hz`, () => {
      expect(parseSamplerate(text, 'metadata')).toBe(hz);
      expect(parseSamplerate(formatSamplerate(hz), 'metadata')).toBe(hz);
    });
  }

  test("written the way sigrok writes them", () => {
    expect([24e6, 1_234_567, 500, 1e9, 625e3, 1_000_100, 2_500_000_000].map(formatSamplerate)).toEqual([
      '24 MHz', '1.234567 MHz', '500 Hz', '1 GHz', '625 kHz', '1.0001 MHz', '2.5 GHz',
    ]);
  });

  for (const bad of ['fast', '0 Hz', '-5 MHz', '5 ms', '']) {
    test(`"${bad}" is not a sample rate`, () => {
      expect(() => parseSamplerate(bad, 'x.sr [metadata] line 3')).toThrow(expect.objectContaining({ name: 'InputError', where: 'x.sr [metadata] line 3' }));
    });
  }
});

test.describe('metadata', () => {
  test('reads what it writes', () => {
    const meta = { samplerate: 1_234_567, unitsize: 2 as const, totalProbes: 12, probes: [{ bit: 0, name: 'TX' }, { bit: 11, name: 'RX' }], capturefile: 'logic-1', analog: [], analogMember: undefined };
    expect(parseSrMetadata(formatSrMetadata(meta), 'm')).toEqual(meta);
  });

  test('sigrok 0.2 style: spaces around "=", unlisted probes', () => {
    const text = '[global]\nsigrok version = 0.2.0\n[device 1]\ndriver = fx2lafw\ncapturefile = logic-1\nunitsize = 1\ntotal probes = 8\nsamplerate = 4 MHz\nprobe1 = Blue\nprobe3 = Red\n';
    expect(parseSrMetadata(text, 'm')).toEqual({
      samplerate: 4_000_000, unitsize: 1, totalProbes: 8, capturefile: 'logic-1', probes: [{ bit: 0, name: 'Blue' }, { bit: 2, name: 'Red' }],
      analog: [], analogMember: undefined,
    });
  });

  test('a probe beyond total probes names its line', () => {
    const text = '[device 1]\ncapturefile=logic-1\ntotal probes=4\nsamplerate=1 MHz\nprobe5=X\nunitsize=1\n';
    expect(() => parseSrMetadata(text, 'x.sr [metadata]')).toThrow(expect.objectContaining({ where: 'x.sr [metadata] line 5 ([device 1] probe5)', problem: 'probe5 is outside total probes=4' }));
  });

  test('a missing key is named', () => {
    expect(() => parseSrMetadata('[device 1]\ncapturefile=logic-1\n', 'm')).toThrow(expect.objectContaining({ where: 'm [device 1]', problem: 'has no samplerate: the sample times would mean nothing' }));
    expect(() => parseSrMetadata('[device 1]\ncapturefile=logic-1\nsamplerate=1 MHz\n', 'm')).toThrow(expect.objectContaining({ where: 'm [device 1] unitsize', problem: 'missing: the samples in logic-1-* cannot be read without it (libsigrok skips them too)' }));
  });
});

test.describe('chunk order', () => {
  test('numeric, not text order', () => {
    const names = Array.from({ length: 12 }, (_, i) => `logic-1-${i + 1}`);
    const shuffled = [...names].sort();
    expect(shuffled.slice(0, 4)).toEqual(['logic-1-1', 'logic-1-10', 'logic-1-11', 'logic-1-12']);
    expect(srChunkNames(['version', 'metadata', ...shuffled, 'analog-1-9-1'], 'logic-1', 'x.sr')).toEqual(names);
  });

  test('a version 1 file has one member named like the capture file', () => {
    expect(srChunkNames(['version', 'logic-1', 'metadata'], 'logic-1', 'x.sr')).toEqual(['logic-1']);
  });

  test('a missing chunk, and both layouts at once, are errors', () => {
    expect(() => srChunkNames(['logic-1-1', 'logic-1-2', 'logic-1-4'], 'logic-1', 'x.sr')).toThrow(expect.objectContaining({ problem: expect.stringContaining('"logic-1-3" is missing') }));
    expect(() => srChunkNames(['logic-1', 'logic-1-1'], 'logic-1', 'x.sr')).toThrow(expect.objectContaining({ where: 'x.sr' }));
  });
});
