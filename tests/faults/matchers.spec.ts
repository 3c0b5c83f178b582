/** Bad matcher arguments: an InputError naming the matcher, the channel and the argument, never a failed match. */
// pinrig's matchers come with the fixtures' expect.
import { expect } from '../../fixtures/index.js';
import type { Capture } from '../../harness/signals/capture.js';
import { NANOSECONDS } from '../../harness/signals/waveform.js';
import { kiloHertz } from '../signals/waves.js';
import { test } from './fixtures.js';

/** A 1 kHz, 50% square wave on analyzer channel D0, wired to GPIO17. */
function capture(): Capture {
  const waveform = kiloHertz(NANOSECONDS);
  return { waveform, source: { instrument: 'file', samplerate: waveform.rate }, pins: { D0: 'GPIO17' }, files: {} };
}

test('a bad argument is an error naming the matcher and the argument, never a measurement that fails to match', () => {
  const c = capture();
  const cases: Array<[() => unknown, RegExp]> = [
    [() => expect(c).toHavePulses('D0', { width: '-5ms' }), /toHavePulses: D0 pulse width: "-5ms" is negative/],
    [() => expect(c).toHavePulses('D0', { width: '1e400s' }), /toHavePulses: D0 pulse width: "1e400s" is too large to be a time/],
    [() => expect(c).toHavePulses('D0', { width: Number.NaN }), /toHavePulses: D0 pulse width: NaN is not a number/],
    [() => expect(c).toHavePulses('D0', { width: '500us', tolerance: '-5%' }), /toHavePulses: D0 pulse width tolerance: "-5%" is negative/],
    [() => expect(c).toHaveFrequency('D0', Number.POSITIVE_INFINITY), /toHaveFrequency: D0 frequency: Infinity is too large to be a frequency/],
    [() => expect(c).toHaveJitterBelow('D0', '-1us'), /toHaveJitterBelow: D0 jitter limit: "-1us" is negative/],
    [() => expect(c).toHaveDutyCycle('D0', '50%', { tolerance: '-2%' }), /toHaveDutyCycle: D0 duty cycle tolerance: "-2%" is negative/],
  ];
  for (const [call, message] of cases) {
    expect(call).toThrow(message);
    expect(call).toThrow(expect.objectContaining({ name: 'InputError' }));
  }
});
