/**
 * When an emulated guest runs. Under `-icount sleep=off` an idle guest does not wait: QEMU jumps its virtual clock to
 * the next timer, again and again, and spends a whole host core doing it (an idle raspi3b went through 71 s of its
 * time in 3 s of the host's, at 100% CPU; virt the same). Two workers' idle guests then took both cores from the work
 * that mattered. So the guest is kept paused except while the host waits on it (a command, a wait in virtual time,
 * timed inputs being applied). The guest cannot tell: its virtual time stops with it, as if the host answered at once.
 */
import type { VmControl } from '../instruments/qemu/probe.js';

/** QMP stop (returning once QEMU's output events before it are in) and cont. */
export interface VmSwitch {
  stop(): Promise<void>;
  cont(): Promise<void>;
}

export class GuestRun implements VmControl {
  /** Work that needs the guest running now. */
  private holders = 0;
  private switching: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly vm: VmSwitch,
    /** Whether the VM runs now (a cold boot does, a restored guest is loaded paused); undefined after a failed switch. */
    private isRunning: boolean | undefined,
  ) {}

  /** Runs `work` with the guest running; it pauses again when no work needs it. */
  async running<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.hold();
    try {
      return await work();
    } finally {
      await release();
    }
  }

  /**
   * Keeps the guest running until the returned function is called (a guest reached over the network, which must
   * answer whenever the host writes to it).
   */
  async hold(): Promise<() => Promise<void>> {
    this.holders++;
    await this.apply();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      this.holders--;
      await this.apply();
    };
  }

  /**
   * Runs `work` with the guest stopped (a fence: what the host does then lands at one virtual instant), then lets it
   * run on if work needs it. In order with every other switch, so nothing lets the guest run in the middle.
   */
  stopped<T>(work: () => Promise<T>): Promise<T> {
    const next = this.switching.then(async () => {
      await this.switch(false);
      try {
        return await work();
      } finally {
        if (this.holders > 0) await this.switch(true);
      }
    });
    this.switching = next.catch(() => {});
    return next;
  }

  /**
   * Brings the VM to what its holders need, in order with every other switch. A switch that fails (QEMU gone) is not
   * this call's error: the work that needed the guest then fails on its own terms (its console closed, its wait ran out).
   */
  private apply(): Promise<void> {
    const next = this.switching.then(async () => {
      const wanted = this.holders > 0;
      if (wanted !== this.isRunning) await this.switch(wanted);
    });
    this.switching = next.catch(() => {});
    return next.catch(() => {});
  }

  /** A QMP stop or cont; if it fails, the VM's state is unknown and the next switch is made whatever it believes. */
  private async switch(running: boolean): Promise<void> {
    this.isRunning = undefined;
    await (running ? this.vm.cont() : this.vm.stop());
    this.isRunning = running;
  }
}
