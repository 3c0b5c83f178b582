import { test, expect } from '../../fixtures/index.js';

// seeds/orin-gpio-passthrough.txt, step 13: from inside the guest, PN.01 then PBB.01 pulse 100 ms each; the analyzer
// on header pins 15 and 16 sees one pulse on each, in that order. A pulse is 100 ms plus the start of the `sleep` that
// times it: about 1 ms on the Orin, tens of ms on an emulated core (the rehearsal).
test('PN.01 then PBB.01 pulse 100 ms each, seen on header pins 15 and 16 in that order', async ({ gpio, analyzer }) => {
  const pads = [await gpio.output('PN.01'), await gpio.output('PBB.01')];
  const recording = await analyzer.record(pads, 'header-toggle');
  for (const pad of pads) await test.step(`pulse ${pad.name} for 100 ms`, () => pad.pulse('100ms'));
  const capture = await recording.stop();

  for (const pad of pads) expect(capture).toHavePulses(pad.name, { level: 'high', count: 1, width: '150ms', tolerance: '50ms' });
  // PBB.01 rises only after PN.01 has fallen: the right order, and no crossed wiring.
  expect(capture).toHaveLatency('PN.01', 'PBB.01', { fromEdge: 'falling', toEdge: 'rising', max: '500ms' });
});
