/**
 * An HTTP proxy in front of an S3 server (s3rver, moto) that misbehaves like a bad day on S3: on a fraction of
 * requests it answers 500 InternalError or 503 SlowDown, drops the connection before
 * forwarding, or forwards and then drops the connection halfway through the answer (the
 * request took effect, the client never hears). Deterministic for a seed (the n-th request
 * gets the n-th draw), and bounded: one request (method + URL) is hurt at most
 * `maxPerRequest` times and all in all at most `maxFaults` times, so a client that retries
 * always gets through.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'http500' | 'http503' | 'drop-before' | 'drop-after';

export interface FaultProxyOptions {
  target: number;
  seed?: number;
  rate?: number;
  maxPerRequest?: number;
  maxFaults?: number;
  kinds?: FaultKind[];
  /** Requests that always fail with 503 (e.g. every part of an upload), for the "still fails" case. */
  alwaysFail?: (req: http.IncomingMessage) => boolean;
  /**
   * Honour `If-None-Match: *` on PUT atomically (s3rver ignores it), as AWS S3, MinIO and R2
   * do: conditional PUTs of one key run one at a time and get 412 when the key exists.
   */
  conditionalPuts?: boolean;
}

export interface FaultProxy {
  endpoint: string;
  stats: { requests: number; faults: Record<FaultKind, number> };
  stop(): Promise<void>;
}

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const rand = mulberry32(o.seed ?? 1);
  const rate = o.rate ?? 0.1;
  const kinds = o.kinds ?? ['http500', 'http503', 'drop-before', 'drop-after'];
  const perRequest = new Map<string, number>();
  const stats = { requests: 0, faults: { http500: 0, http503: 0, 'drop-before': 0, 'drop-after': 0 } as Record<FaultKind, number> };
  let total = 0;
  const keyLocks = new Map<string, Promise<void>>();

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, fault?: FaultKind): Promise<void> => new Promise((done) => {
    const headers = { ...req.headers };
    delete headers.expect; // the proxy already answered 100-continue itself
    const up = http.request({ host: '127.0.0.1', port: o.target, method: req.method, path: req.url, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.on('end', () => done());
      if (fault !== 'drop-after') {
        upRes.pipe(res);
        return;
      }
      // Half the body (or just the headers), then the connection dies.
      const len = Number(upRes.headers['content-length'] ?? 0);
      let sent = 0;
      upRes.on('data', (c: Buffer) => {
        if (sent < len / 2) res.write(c.subarray(0, Math.max(0, Math.min(c.length, Math.ceil(len / 2) - sent))));
        sent += c.length;
      });
      upRes.on('end', () => setImmediate(() => res.socket?.destroy()));
    });
    up.on('error', () => {
      res.socket?.destroy();
      done();
    });
    req.pipe(up);
  });

  const conditionalPut = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    const prev = keyLocks.get(path) ?? Promise.resolve();
    const mine = prev.then(async () => {
      const exists = await new Promise<boolean>((resolve) => {
        http.request({ host: '127.0.0.1', port: o.target, method: 'HEAD', path }, (r) => {
          r.resume();
          resolve(r.statusCode === 200);
        }).on('error', () => resolve(false)).end();
      });
      if (exists) answerError(req, res, 412, 'PreconditionFailed');
      else await forward(req, res);
    });
    keyLocks.set(path, mine);
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    const draw = rand();
    const pick = kinds[Math.floor(rand() * kinds.length)];
    const id = `${req.method} ${req.url}`;
    if (o.alwaysFail?.(req)) return answerError(req, res, 503, 'SlowDown');
    let fault: FaultKind | undefined;
    if (draw < rate && total < (o.maxFaults ?? 200) && (perRequest.get(id) ?? 0) < (o.maxPerRequest ?? 2)) {
      fault = pick;
      total++;
      stats.faults[fault]++;
      perRequest.set(id, (perRequest.get(id) ?? 0) + 1);
    }
    if (fault === 'http500') return answerError(req, res, 500, 'InternalError');
    if (fault === 'http503') return answerError(req, res, 503, 'SlowDown');
    if (fault === 'drop-before') {
      req.socket.destroy();
      return;
    }
    if (o.conditionalPuts && req.method === 'PUT' && req.headers['if-none-match'] === '*') return conditionalPut(req, res);
    void forward(req, res, fault);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** Read the request body (a client still sending would see a reset), then answer with an S3 error. */
function answerError(req: http.IncomingMessage, res: http.ServerResponse, status: number, code: string): void {
  req.resume();
  req.on('end', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by the fault proxy</Message><RequestId>fault</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
