import { test, expect } from '@playwright/test';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { controllerOf, loadBoardProfile, parseBoardProfile, resolvePin, rolePin } from '../../harness/targets/board-profile.js';
import { modelFor } from '../../harness/models/index.js';
import type { Tegra234Gpio } from '../../harness/models/tegra234.js';

const BOARDS = path.resolve(import.meta.dirname, '../../fixtures/boards');

test('roles name the pins the shared scenarios use; a missing role says what to add', () => {
  const virt = loadBoardProfile(path.join(BOARDS, 'qemu-virt.yaml'));
  expect(rolePin(virt, 'blink').name).toBe('GPIO0');
  expect(rolePin(loadBoardProfile(path.join(BOARDS, 'rpi3b.yaml')), 'blink').name).toBe('GPIO17');
  expect(() => rolePin(virt, 'servo')).toThrow(/board qemu-virt: no pin for the role "servo": add roles\.servo to the profile/);
});

test('every shipped profile loads', () => {
  const files = readdirSync(BOARDS).filter((f) => f.endsWith('.yaml'));
  expect(files).toEqual(expect.arrayContaining(['rpi3b.yaml', 'rpi4b.yaml', 'orin-agx.yaml', 'orin-rehearsal.yaml', 'qemu-virt.yaml']));
  for (const file of files) expect(loadBoardProfile(path.join(BOARDS, file)).pins.length, file).toBeGreaterThan(0);
});

test('the Orin header pins agree with the Tegra234 model: pad, controller, line and register base', () => {
  const orin = loadBoardProfile(path.join(BOARDS, 'orin-agx.yaml'));
  const expected = { 15: ['PN.01', 'main', 85, 0x02212220], 16: ['PBB.01', 'aon', 9, 0x0c2f1a20], 18: ['PH.00', 'main', 43, 0x02214200], 22: ['PP.04', 'main', 96, 0x02212480], 32: ['PBB.00', 'aon', 8, 0x0c2f1a00] } as const;
  for (const [header, [pad, controller, line, base]] of Object.entries(expected)) {
    const pin = resolvePin(orin, `pin ${header}`);
    expect(pin).toMatchObject({ name: pad, controller, line });
    const model = modelFor('tegra234', { controller: controller as 'main' | 'aon', base: controllerOf(orin, pin).base }) as Tegra234Gpio;
    expect(model.line(pad), `${pad} line in the model`).toBe(line);
    expect(model.pinBase(pad), `${pad} register base`).toBe(base);
  }
  expect(orin.analyzer?.channels).toEqual({ D0: 'pin 15', D1: 'pin 16' });
  expect(orin.passthrough?.devices).toEqual(['2200000.gpio', 'c2f0000.gpio']);
});

test('the rehearsal profile names the same pads on the same header pins as the Orin', () => {
  const orin = loadBoardProfile(path.join(BOARDS, 'orin-agx.yaml'));
  const rehearsal = loadBoardProfile(path.join(BOARDS, 'orin-rehearsal.yaml'));
  expect(rehearsal.rehearses).toBe('orin-agx');
  expect(rehearsal.pins.map((p) => [p.header, p.name])).toEqual(orin.pins.map((p) => [p.header, p.name]));
  expect(rehearsal.pins.map((p) => p.line)).not.toContain(3); // QEMU's power button
  expect(rehearsal.analyzer?.channels).toEqual(orin.analyzer?.channels);
});

const VALID = `board: demo
controller: { model: bcm2835, base: 0x3f200000, chip: pinctrl-bcm2835 }
pins:
  - { header: 11, line: 17, name: GPIO17 }
  - { header: 13, line: 27, name: GPIO27 }
`;

test('invalid profiles name the file, the line, the field and what was expected', () => {
  const bad = (text: string) => () => parseBoardProfile(text, 'lab.yaml');
  expect(bad(VALID.replace('model: bcm2835', 'model: bcm9999'))).toThrow(/^lab\.yaml:2: controller\.model: Invalid option: expected one of "bcm2835"\|"bcm2711"\|"pl061"\|"tegra234"$/);
  expect(bad(VALID.replace('line: 27', 'line: "27"'))).toThrow(/^lab\.yaml:5: pins\.1\.line: Invalid input: expected number, received string$/);
  expect(bad(VALID.replace('board: demo\n', ''))).toThrow(/^lab\.yaml:1: board: Invalid input: expected string, received undefined$/);
  expect(bad(VALID + 'colour: blue\n')).toThrow(/^lab\.yaml:6: colour: unknown key "colour"; known keys are board, description, controller, /);
  expect(bad(VALID.replace('header: 13', 'header: 11'))).toThrow(/^lab\.yaml:5: pins\.1\.header: header 11 appears twice \(also pins\.0\)$/);
  expect(bad(VALID + 'access:\n  ssh: { host: b, user: pi, key: k, hostKey: "SHA256:short" }\n')).toThrow(/^lab\.yaml:7: access\.ssh\.hostKey: an OpenSSH fingerprint/);
  expect(bad(VALID + 'analyzer: { driver: fx2lafw, samplerate: 24MHz, channels: { D0: GPIO4 } }\n')).toThrow(/^lab\.yaml:6: analyzer\.channels\.D0: no pin "GPIO4"/);
  expect(bad(VALID.replace('controller: {', 'controllers: [{').replace('chip: pinctrl-bcm2835 }', 'chip: a }, { name: b, model: pl061, base: 0, chip: b }]'))).toThrow(/^lab\.yaml:4: pins\.0\.controller: GPIO17 must name its controller/);
  expect(bad(VALID.replace('pins:', 'pins: [\n'))).toThrow(/^lab\.yaml:\d+: not valid YAML/);
  expect(bad(VALID + 'roles: { blink: GPIO4 }\n')).toThrow(/^lab\.yaml:6: roles\.blink: no pin "GPIO4"/);
  expect(bad(VALID + 'roles: { Blink: GPIO17 }\n')).toThrow(/^lab\.yaml:6: roles\.Blink: roles are lower-case words$/);
  expect(() => loadBoardProfile('/nonexistent/board.yaml')).toThrow(/^\/nonexistent\/board\.yaml: cannot read the board profile/);
});
