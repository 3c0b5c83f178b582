import { test, expect } from '../../fixtures/index.js';
import { BoardTarget } from '../../harness/targets/board.js';
import { formatPreflight, preflight } from '../../harness/targets/passthrough.js';

test('host preflight: GPIO controllers bound to vfio-platform, unsafe interrupts allowed, the guest running', async ({ target }) => {
  const host = target instanceof BoardTarget ? target.passthroughHost : undefined;
  expect(host, `${target.name} has no KVM host to check (profile passthrough.host)`).toBeDefined();
  const checks = await preflight(host!, target.profile.passthrough!.devices);
  await test.info().attach('preflight.txt', { body: formatPreflight(checks), contentType: 'text/plain' });
  for (const check of checks) expect.soft(check.ok, `${check.check}: found ${check.found}`).toBe(true);
  expect(checks.map((c) => c.check)).toEqual([
    '2200000.gpio bound to vfio-platform',
    '2200000.gpio driver_override is vfio-platform',
    'c2f0000.gpio bound to vfio-platform',
    'c2f0000.gpio driver_override is vfio-platform',
    'vfio_iommu_type1 allow_unsafe_interrupts',
    'a QEMU guest runs with 2200000.gpio and c2f0000.gpio passed through',
  ]);
});
