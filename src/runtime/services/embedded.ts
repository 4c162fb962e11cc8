import { type ChildProcess } from 'node:child_process';
import { stopChild } from './child';
import { type RunningService } from './types';

/** One start of an embedded store's process, serving at `url`. */
export interface Launched {
  child: ChildProcess;
  url: string;
}

/**
 * Starts the store's process and resolves once it serves. Without `url` it picks its own address;
 * with one (a restart) it must serve at exactly that URL.
 */
export type Launcher = (url?: string) => Promise<Launched>;

/** A store's process that ended without anyone asking it to (a crash, a kill from outside). */
export interface Crash {
  service: string;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * An embedded store (redis-server, FerretDB) that this process started and can start again on the same
 * URL and data directory — so the gateway and worker, whose clients keep reconnecting to that URL, find
 * it again by themselves. {@link onCrash} tells about every exit that {@link stop} did not cause.
 */
export class EmbeddedService implements RunningService {
  private child: ChildProcess;
  private stopRequested = false;
  private restarting: Promise<void> | undefined;
  private readonly crashListeners = new Set<(crash: Crash) => void>();

  private constructor(
    readonly name: string,
    readonly url: string,
    first: ChildProcess,
    private readonly launch: Launcher,
  ) {
    this.child = first;
    this.watch(first);
  }

  static async start(name: string, launch: Launcher): Promise<EmbeddedService> {
    const launched = await launch();
    return new EmbeddedService(name, launched.url, launched.child, launch);
  }

  /** The current process's id (it changes with each restart). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Calls `listener` on each exit {@link stop} did not cause; returns the unsubscribe. */
  onCrash(listener: (crash: Crash) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /**
   * Starts the process again, on the same URL and data directory. Only once the previous one has
   * exited (crashed, or stopped by {@link stop}).
   */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is still running (pid ${this.pid})`);
    if (this.restarting) throw new Error(`${this.name} is already being restarted`);
    this.stopRequested = false;
    this.restarting = this.launch(this.url).then(({ child }) => {
      this.child = child;
      this.watch(child);
    });
    try {
      await this.restarting;
    } finally {
      this.restarting = undefined;
    }
  }

  /** Stops the current process (SIGTERM, then SIGKILL): not a crash. Waits for a restart under way. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.restarting?.catch(() => undefined);
    await stopChild(this.child);
  }

  private watch(child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      if (this.stopRequested || child !== this.child) return;
      for (const listener of this.crashListeners)
        listener({ service: this.name, pid: child.pid, code, signal });
    });
  }
}
