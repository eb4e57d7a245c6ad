/** appendText on S3: segment logs, PUT whole, read back as one text. */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { AppendLog, segmentKey } from '../../src/store/s3/append-log.js';
import type { S3Ports } from '../../src/store/s3/open-s3.js';
import { S3KeyStore } from '../../src/store/s3/s3-keys.js';
import { Store } from '../../src/store/store.js';
import { s3Backend, type TestBackend } from './helpers.js';
import { S3_SERVERS, type TestS3 } from './servers.js';

describe.each(S3_SERVERS)('%s', (_, server) => {
  let s3: TestS3;
  let t: TestBackend;
  beforeAll(async () => {
    s3 = await server.start();
  });
  afterAll(async () => {
    await s3.stop();
  });
  beforeEach(async () => {
    t = await s3Backend(s3.endpoint);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const KEY = 'flows/f/runs/r/events.ndjson';
  const line = (i: number) => `${JSON.stringify({ i, pad: 'x'.repeat(40) })}\n`;
  /** A key store on the same prefix with tiny segments, so a few lines span many of them. */
  const small = (b: S3Ports, bytes = 200) => new S3KeyStore(b.kv.bucket, { segmentBytes: bytes });

  test('a short log is one plain object at its key', async () => {
    await t.backend.kv.append(KEY, line(0));
    await t.backend.kv.append(KEY, line(1));
    expect(await t.backend.kv.get(KEY)).toBe(line(0) + line(1));
    const head = await t.backend.objects.bucket.client.send(new HeadObjectCommand({ Bucket: 'bucket', Key: t.backend.objects.bucket.key(KEY) }));
    expect(head.Metadata ?? {}).toEqual({});
    expect(await t.backend.kv.list('flows/f/runs/r')).toEqual(['events.ndjson']);
  });

  test('a long log is split into segments that read back in order, hidden from list()', async () => {
    const b = small(t.backend);
    const expected = Array.from({ length: 40 }, (_, i) => line(i)).join('');
    for (let i = 0; i < 40; i++) await b.append(KEY, line(i));
    expect(await b.get(KEY)).toBe(expected);
    expect(await (await t.fresh()).kv.get(KEY)).toBe(expected);
    const segments = await t.backend.objects.bucket.listChildren(`${KEY}.d`);
    expect(segments.length).toBeGreaterThan(5);
    expect(segments).toEqual(segments.map((_, i) => segmentKey(KEY, i + 1).split('/').pop()));
    expect(await t.backend.kv.list('flows/f/runs/r')).toEqual(['events.ndjson']);
    expect(await t.backend.kv.exists(KEY)).toBe(true);
    const events = await new Store(t.backend).readEvents<{ i: number }>('f', 'r');
    expect(events.map((e) => e.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  test('concurrent appends are coalesced into few PUTs, each line once, in call order', async () => {
    const log = new AppendLog(t.backend.objects.bucket);
    let puts = 0;
    const put = t.backend.objects.bucket.putBytes.bind(t.backend.objects.bucket);
    t.backend.objects.bucket.putBytes = (...args) => {
      puts++;
      return put(...args);
    };
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(KEY, line(i))));
    expect(puts).toBeLessThan(10);
    expect(await log.read(KEY)).toBe(Array.from({ length: 100 }, (_, i) => line(i)).join(''));
  });

  test('a new writer (another process) continues after what is there, short or segmented', async () => {
    await t.backend.kv.append(KEY, line(0));
    const second = await t.fresh();
    await second.kv.append(KEY, line(1));
    expect(await t.backend.kv.get(KEY)).toBe(line(0) + line(1));

    const key2 = 'flows/f/runs/r2/events.ndjson';
    for (let i = 0; i < 10; i++) await small(t.backend).append(key2, line(i));
    const later = small(await t.fresh());
    for (let i = 10; i < 20; i++) await later.append(key2, line(i));
    expect(await t.backend.kv.get(key2)).toBe(Array.from({ length: 20 }, (_, i) => line(i)).join(''));
  });

  test('a failed PUT rejects the append and is retried with the next one; nothing is lost or doubled', async () => {
    const log = new AppendLog(t.backend.objects.bucket);
    const put = t.backend.objects.bucket.putBytes.bind(t.backend.objects.bucket);
    let fail = true;
    t.backend.objects.bucket.putBytes = async (...args) => {
      if (fail) throw Object.assign(new Error('injected'), { code: 'S3_ERROR' });
      return put(...args);
    };
    await expect(log.append(KEY, line(0))).rejects.toThrow('injected');
    fail = false;
    await log.append(KEY, line(1));
    expect(await log.read(KEY)).toBe(line(0) + line(1));
  });
});
