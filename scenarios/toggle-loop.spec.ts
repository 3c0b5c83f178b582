import { test, expect } from '../fixtures/index.js';
import { frequency, jitter } from '../harness/signals/measure.js';
import { formatFrequency, formatTime } from '../harness/signals/units.js';

test('a software toggle loop: frequency and jitter measured and bounded', async ({ gpio, analyzer }) => {
  const pin = await gpio.output('toggle');
  const recording = await analyzer.record([pin], 'toggle');
  await test.step('toggle 200 times as fast as the guest can', () => pin.train({ count: 200, width: 0 }));
  const capture = await recording.stop();

  expect(capture).toHaveEdgeCount(pin.name, 400);
  const [f, j] = [frequency(capture.waveform, pin.name), jitter(capture.waveform, pin.name)];
  test.info().annotations.push({ type: 'toggle loop', description: `${formatFrequency(f)}, period jitter ${formatTime(j.stdDev)} rms, ${formatTime(j.peakToPeak)} peak to peak` });
  // A shell loop on an emulated core: hundreds of hertz, not kilohertz; a stalled guest would show periods of seconds.
  expect(f).toBeGreaterThan(50);
  expect(capture).toHaveJitterBelow(pin.name, '50ms');
});
