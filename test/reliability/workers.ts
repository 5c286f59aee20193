/**
 * The pool of worker processes: spawns them (tsx, with an IPC channel), kills one on purpose
 * (`SIGKILL`, mid-load), replaces any that exits, and tells deliberate kills from crashes. A crash is a
 * worker that exited without being told to: the library let a fault escape to the process.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerMessage, WorkerSettings } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** A running worker. */
export interface WorkerHandle {
  name: string;
  port: number;
  child: ChildProcess;
  alive: boolean;
}

/** A worker that exited without being told to. */
export interface WorkerCrash {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The start of its stderr (where Node prints the unhandled error). */
  stderr: string;
}

/** See the module doc. */
export class WorkerPool {
  readonly workers: WorkerHandle[] = [];
  readonly crashes: WorkerCrash[] = [];
  /** Everything the workers wrote to stdout / stderr (the secrets scan reads it). */
  output = '';
  private spawned = 0;
  private closing = false;

  constructor(private readonly settings: (name: string) => WorkerSettings) {}

  /** Starts `count` workers and waits until each listens. */
  async start(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.spawn()));
  }

  /** A live worker, picked at random. */
  pick(random: () => number): WorkerHandle | undefined {
    const live = this.workers.filter((w) => w.alive);
    return live[Math.floor(random() * live.length)];
  }

  /** `SIGKILL`s a live worker (a deliberate fault) and starts its replacement. Resolves once it listens. */
  async killOne(random: () => number): Promise<boolean> {
    const victim = this.pick(random);
    if (!victim) return false;
    victim.alive = false;
    victim.child.kill('SIGKILL');
    await this.spawn();
    return true;
  }

  /** Stops every worker gracefully. */
  async stop(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.workers
        .filter((w) => w.alive)
        .map(
          (w) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                w.child.kill('SIGKILL');
                resolve();
              }, 10_000);
              w.child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              w.alive = false;
              w.child.send({ type: 'stop' });
            }),
        ),
    );
  }

  private spawn(): Promise<WorkerHandle> {
    this.spawned += 1;
    const name = `w${this.spawned}`;
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PF_RELIABILITY_WORKER: JSON.stringify(this.settings(name)) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 8000) stderr += chunk.toString();
      this.output += chunk.toString();
    });
    return new Promise<WorkerHandle>((resolve, reject) => {
      const handle: WorkerHandle = { name, port: 0, child, alive: false };
      let ready = false;
      child.on('message', (message: WorkerMessage) => {
        if (message.type !== 'ready') return;
        ready = true;
        handle.port = message.port;
        handle.alive = true;
        this.workers.push(handle);
        resolve(handle);
      });
      child.on('exit', (code, signal) => {
        const deliberate = this.closing || (signal === 'SIGKILL' && !handle.alive && ready);
        if (!ready) {
          reject(new Error(`Worker ${name} exited before listening (code ${code}, signal ${signal}): ${stderr}`));
          return;
        }
        if (deliberate) return;
        handle.alive = false;
        this.crashes.push({ name, code, signal, stderr });
        // Keep the load going on a replacement, as a process manager would; the crash is counted.
        if (!this.closing) void this.spawn().catch(() => undefined);
      });
    });
  }
}
