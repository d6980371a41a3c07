/**
 * Server processes under test: start (Latchkey's CLI from the built dist, or the bare Fastify
 * reference), wait until every worker accepts connections, read CPU time and memory from /proc,
 * stop. Linux only (/proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const CLK_TCK = 100; // USER_HZ on Linux

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Direct children of a process (cluster workers of the primary). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** utime and stime of a process in ms (all its threads). */
export function cpuSplit(pid: number): { user: number; sys: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    return { user: (Number(fields[11]) * 1000) / CLK_TCK, sys: (Number(fields[12]) * 1000) / CLK_TCK };
  } catch {
    return { user: 0, sys: 0 };
  }
}

/** utime + stime of a process in ms (all its threads). */
export function cpuMs(pid: number): number {
  const c = cpuSplit(pid);
  return c.user + c.sys;
}

/**
 * CPU ms of every PostgreSQL process on this machine (postmaster, backends, WAL writer, checkpointer), by pid: the
 * database server's side of a window when the bench and PostgreSQL share the machine (process accounting; needs no
 * extension). Backends that exit inside a window are missed; the server's pool keeps its connections open.
 */
export function postgresCpuByPid(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    out.set(Number(d), cpuMs(Number(d)));
  }
  return out;
}

/** VmRSS / VmHWM in MiB. */
export function memory(pid: number): { rssMiB: number; hwmMiB: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMiB: NaN, hwmMiB: NaN };
  }
}

function socketCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServerProcess {
  name: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  /** The primary and its workers (for one worker: just the primary). */
  pids(): number[];
  workerPids(): number[];
  cpuMs(): number;
  /** Per-process CPU, for checking that every worker got its share. */
  cpuByPid(): Map<number, number>;
  /** System (kernel) CPU of all processes, ms. */
  sysMs(): number;
  stop(): Promise<void>;
  logTail(n?: number): string;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  workers: number;
  logFile: string;
  cwd: string;
  /** Path answering 200 once the process is ready. */
  healthPath?: string;
  timeoutMs?: number;
}

/**
 * Spawns a server (stdout/stderr to a log file, never through this process), waits for the health
 * path, and with several workers waits until connections reach each of them: node:cluster hands
 * connections only to workers that have called listen(), and keep-alive connections stay where they
 * were accepted, so a measurement started early would load only the first worker.
 */
export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(process.execPath, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: number | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );
  const pid = child.pid!;
  const logTail = (n = 30) => {
    try {
      return readFileSync(opts.logFile, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
    } catch {
      return '';
    }
  };
  const workerPids = () => (opts.workers > 1 ? childPids(pid) : [pid]);
  const pids = () => (opts.workers > 1 ? [pid, ...childPids(pid)] : [pid]);
  const proc: ServerProcess = {
    name: opts.name,
    port: opts.port,
    child,
    logFile: opts.logFile,
    pids,
    workerPids,
    cpuMs: () => pids().reduce((a, p) => a + cpuMs(p), 0),
    cpuByPid: () => new Map(pids().map((p) => [p, cpuMs(p)])),
    sysMs: () => pids().reduce((a, p) => a + cpuSplit(p).sys, 0),
    logTail,
    async stop() {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => {
        if (exited === null) child.kill('SIGKILL');
      }, 15_000);
      await exitPromise;
      clearTimeout(t);
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const fail = (why: string) => new Error(`${opts.name}: ${why}\n--- log tail (${opts.logFile}) ---\n${logTail()}`);
  // 1. Health.
  for (;;) {
    if (exited !== null) throw fail(`exited with ${exited} before becoming ready`);
    if (Date.now() > deadline) {
      await proc.stop();
      throw fail('not ready in time');
    }
    if ((await get(opts.port, opts.healthPath ?? '/health')) === 200) break;
    await sleep(100);
  }
  // 2. Every worker receives connections.
  if (opts.workers > 1) {
    for (;;) {
      if (exited !== null) throw fail(`exited with ${exited}`);
      if (Date.now() > deadline) {
        await proc.stop();
        throw fail(`not all ${opts.workers} workers accept connections in time`);
      }
      const workers = workerPids();
      if (workers.length >= opts.workers) {
        const before = new Map(workers.map((p) => [p, socketCount(p)]));
        const agent = new http.Agent({ keepAlive: true, maxSockets: 4 * opts.workers });
        await Promise.all(Array.from({ length: 4 * opts.workers }, () => get(opts.port, opts.healthPath ?? '/health', agent)));
        const reached = workers.filter((p) => socketCount(p) > before.get(p)!).length;
        agent.destroy();
        if (reached >= opts.workers) break;
      }
      await sleep(200);
    }
    await sleep(200);
  }
  return proc;
}
