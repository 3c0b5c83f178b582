import { test, expect } from '../fixtures/index.js';
import { frequency, jitter } from '../harness/signals/measure.js';
import { formatFrequency, formatTime } from '../harness/signals/units.js';

test('a software toggle loop: frequency and jitter measured and bounded', async ({ target, analyzer }) => {
  const pin = target.role('toggle').name;
  const gpio = await target.sysfsNumber(pin);
  const value = `/sys/class/gpio/gpio${gpio}/value`;
  await target.shell.check(`echo ${gpio} > /sys/class/gpio/export; echo out > /sys/class/gpio/gpio${gpio}/direction`);
  try {
    const recording = await analyzer.record([pin], 'toggle');
    await test.step('toggle 200 times as fast as the shell can', () =>
      target.shell.check(`exec 3> ${value}; i=0; while [ $i -lt 200 ]; do echo 1 >&3; echo 0 >&3; i=$((i+1)); done; exec 3>&-`, { timeoutMs: 20_000 }));
    const capture = await recording.stop();

    expect(capture).toHaveEdgeCount(pin, 400);
    const f = frequency(capture.waveform, pin);
    const j = jitter(capture.waveform, pin);
    test.info().annotations.push({ type: 'toggle loop', description: `${formatFrequency(f)}, period jitter ${formatTime(j.stdDev)} rms, ${formatTime(j.peakToPeak)} peak to peak` });
    // A shell loop on an emulated core: hundreds of hertz, not kilohertz; a stalled guest would show periods of seconds.
    expect(f).toBeGreaterThan(50);
    expect(capture).toHaveJitterBelow(pin, '50ms');
  } finally {
    await target.shell.check(`echo ${gpio} > /sys/class/gpio/unexport`);
  }
});
