import type { Fixtures } from '@playwright/test';
import { SshLink, type SshOptions } from '../../harness/links/ssh.js';
import { startDropbear, type Dropbear } from './dropbear.js';

export interface SshFixtures {
  server: Dropbear;
  connect: (extra?: Partial<SshOptions>) => Promise<SshLink>;
}

// Every test gets its own real dropbear on loopback (some kill or freeze it) and a `connect` whose links are closed after.
export const sshFixtures: Fixtures<SshFixtures> = {
  server: async ({}, use) => {
    const server = await startDropbear();
    try {
      await use(server);
    } finally {
      await server.dispose();
    }
  },
  connect: async ({ server }, use) => {
    const links: SshLink[] = [];
    await use(async (extra = {}) => {
      const link = await SshLink.connect({
        host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath, hostKey: server.hostFingerprint,
        ...extra,
      });
      links.push(link);
      return link;
    });
    await Promise.all(links.map((link) => link.close()));
  },
};
