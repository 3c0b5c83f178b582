/**
 * Tegra234 (Jetson AGX Orin) GPIO controllers as Linux's gpio-tegra186.c lists them: ports in gpiochip line order,
 * each at bank*0x1000 + port*0x200 from the controller's "gpio" register window.
 */

export interface TegraPort {
  /** 'N' for pads PN.00-PN.07. */
  readonly name: string;
  readonly bank: number;
  readonly port: number;
  readonly pins: number;
}

export interface TegraLayout {
  readonly label: string;
  /** The "gpio" register window, not the device tree node's first (security) window. */
  readonly base: number;
  readonly ports: readonly TegraPort[];
}

function ports(list: ReadonlyArray<readonly [string, number, number, number]>): TegraPort[] {
  return list.map(([name, bank, port, pins]) => ({ name, bank, port, pins }));
}

/** gpiochip0, node gpio@2200000. */
export const TEGRA234_MAIN: TegraLayout = {
  label: 'Tegra234 main GPIO',
  base: 0x02210000,
  ports: ports([
    ['A', 0, 0, 8], ['B', 0, 3, 1], ['C', 5, 1, 8], ['D', 5, 2, 4], ['E', 5, 3, 8], ['F', 5, 4, 6], ['G', 4, 0, 8],
    ['H', 4, 1, 8], ['I', 4, 2, 7], ['J', 5, 0, 6], ['K', 3, 0, 8], ['L', 3, 1, 4], ['M', 2, 0, 8], ['N', 2, 1, 8],
    ['P', 2, 2, 8], ['Q', 2, 3, 8], ['R', 2, 4, 6], ['X', 1, 0, 8], ['Y', 1, 1, 8], ['Z', 1, 2, 8], ['AC', 0, 1, 8],
    ['AD', 0, 2, 4], ['AE', 3, 3, 2], ['AF', 3, 4, 4], ['AG', 3, 2, 8],
  ]),
};

/** gpiochip1, node gpio@c2f0000. */
export const TEGRA234_AON: TegraLayout = {
  label: 'Tegra234 AON GPIO',
  base: 0x0c2f1000,
  ports: ports([['AA', 0, 4, 8], ['BB', 0, 5, 4], ['CC', 0, 2, 8], ['DD', 0, 3, 3], ['EE', 0, 0, 8], ['GG', 0, 1, 1]]),
};
