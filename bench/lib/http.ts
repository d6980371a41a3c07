/**
 * The load generator: keep-alive HTTP/1.1 connections on loopback (node:http Agent), C concurrent
 * "virtual users" each running one ceremony after another, for a fixed duration (after a warm-up) or
 * for a fixed total count. A ceremony is any async function; its latency is measured from its first
 * byte sent to its last byte received, including the client-side work between requests (e.g. the
 * authenticator's signature), which is reported separately as client CPU per operation.
 */
import http from 'node:http';
import { TARGET_PREFIX } from '@latchkey/wire';

export interface Reply {
  status: number;
  json: any;
  text: string;
}

/** A Cognito JSON-protocol endpoint reached through one keep-alive Agent (one socket per virtual user). */
export class Endpoint {
  readonly agent: http.Agent;

  constructor(
    readonly host: string,
    readonly port: number,
    sockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'fifo' });
  }

  /** POST / with `X-Amz-Target: AWSCognitoIdentityProviderService.<target>`. Never rejects on HTTP errors. */
  call(target: string, body: unknown): Promise<Reply> {
    return this.post(`${TARGET_PREFIX}${target}`, JSON.stringify(body));
  }

  post(amzTarget: string, payload: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': amzTarget,
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like call(), but throws unless HTTP 200. */
  async ok(target: string, body: unknown): Promise<any> {
    const r = await this.call(target, body);
    if (r.status !== 200) throw new Error(`${target} → HTTP ${r.status} ${r.text.slice(0, 300)}`);
    return r.json;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadOptions {
  concurrency: number;
  /** Duration mode: warm-up (not measured), then measure for durationMs. */
  warmupMs?: number;
  durationMs?: number;
  /** Count mode: run exactly this many ceremonies in total, all measured. */
  count?: number;
  /** Called synchronously at the start and end of the measured window (e.g. to snapshot server CPU). */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface LoadResult {
  ops: number;
  errors: number;
  seconds: number;
  opsPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Client (load generator) CPU during the window, ms per completed op (user + system, all threads). */
  clientCpuMsPerOp: number;
  /** Client CPU during the window as a share of one core. */
  clientCores: number;
  errorSamples: string[];
}

/** `ceremony(slot, seq)` runs one operation; slot ∈ [0, concurrency) is stable per virtual user. */
export async function runLoad(opts: LoadOptions, ceremony: (slot: number, seq: number) => Promise<void>): Promise<LoadResult> {
  const { concurrency } = opts;
  const countMode = opts.count !== undefined;
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let seq = 0;
  let stop = false;
  let measuring = countMode;
  let t0 = 0;
  let t1 = 0;
  let cpu0 = process.cpuUsage();
  let cpu1 = cpu0;

  const startWindow = () => {
    measuring = true;
    opts.onWindow?.('start');
    cpu0 = process.cpuUsage();
    t0 = performance.now();
  };
  const endWindow = () => {
    t1 = performance.now();
    cpu1 = process.cpuUsage();
    opts.onWindow?.('end');
    measuring = false;
    stop = true;
  };

  const timers: NodeJS.Timeout[] = [];
  if (countMode) {
    startWindow();
  } else {
    const warm = opts.warmupMs ?? 0;
    const dur = opts.durationMs ?? 5000;
    timers.push(setTimeout(startWindow, warm));
    timers.push(setTimeout(endWindow, warm + dur));
  }

  const slot = async (i: number) => {
    while (!stop) {
      if (countMode && seq >= opts.count!) break;
      const n = seq++;
      const began = performance.now();
      try {
        await ceremony(i, n);
        // Counted iff it completed inside the measured window (whenever it started).
        if (measuring) latencies.push(performance.now() - began);
      } catch (err) {
        if (measuring) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(String((err as Error)?.message ?? err).slice(0, 400));
        }
        // Do not spin on a persistent failure.
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => slot(i)));
  for (const t of timers) clearTimeout(t);
  if (countMode) endWindow();

  const seconds = (t1 - t0) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
  const cpuMs = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000;
  const ops = sorted.length;
  return {
    ops,
    errors,
    seconds,
    opsPerSec: ops / seconds,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: ops ? latencies.reduce((a, b) => a + b, 0) / ops : NaN,
    clientCpuMsPerOp: ops ? cpuMs / ops : NaN,
    clientCores: cpuMs / 1000 / seconds,
    errorSamples,
  };
}
