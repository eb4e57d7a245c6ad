/** Configuration: datastore URLs, client settings from the environment, bounded parallelism. */
import { Limit } from '../../src/store/s3/limit.js';
import { formatS3Url, parseS3Url } from '../../src/store/s3/parse-url.js';
import { createS3Client, s3Settings } from '../../src/store/s3/s3-client.js';

describe('parseS3Url', () => {
  test('bucket and a normalized prefix', () => {
    expect(parseS3Url('s3://team-ml')).toEqual({ bucket: 'team-ml', prefix: '' });
    expect(parseS3Url('s3://team-ml/')).toEqual({ bucket: 'team-ml', prefix: '' });
    expect(parseS3Url('s3://team-ml/flowctl/prod/')).toEqual({ bucket: 'team-ml', prefix: 'flowctl/prod' });
    expect(parseS3Url('S3://b.with.dots//a//b')).toEqual({ bucket: 'b.with.dots', prefix: 'a/b' });
    expect(formatS3Url(parseS3Url('s3://bkt/x/'))).toBe('s3://bkt/x');
    expect(formatS3Url(parseS3Url('s3://bkt'))).toBe('s3://bkt');
  });

  test.each(['s3://', 's3:///x', 's3://a', 's3://bad bucket/x', 's3://bkt/../x', 's3://bkt/x?versionId=1', 's3://bkt/a/./x', 'gs://bkt/x'])('%s is a usage error with a hint', (url) => {
    expect(() => parseS3Url(url)).toThrow(expect.objectContaining({ code: 'STORE_BAD_LOCATION', exitCode: 2, hint: expect.stringContaining('s3://') }));
  });
});

describe('s3Settings', () => {
  test('AWS by default: virtual-hosted, SDK checksums, 6 attempts in standard mode', () => {
    expect(s3Settings({})).toEqual({ endpoint: undefined, isAws: true, forcePathStyle: false, region: undefined, maxAttempts: 6, retryMode: 'standard', checksums: undefined });
  });

  test('an S3-compatible endpoint: path-style and checksums only when required', () => {
    expect(s3Settings({ FLOWCTL_S3_ENDPOINT: 'http://127.0.0.1:9000/' })).toMatchObject({ endpoint: 'http://127.0.0.1:9000', isAws: false, forcePathStyle: true, checksums: 'WHEN_REQUIRED' });
    expect(s3Settings({ AWS_ENDPOINT_URL: 'https://acct.r2.cloudflarestorage.com' })).toMatchObject({ isAws: false, forcePathStyle: true });
  });

  test('FLOWCTL_S3_ENDPOINT beats AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL; AWS endpoints stay AWS', () => {
    expect(s3Settings({ FLOWCTL_S3_ENDPOINT: 'http://a', AWS_ENDPOINT_URL_S3: 'http://b', AWS_ENDPOINT_URL: 'http://c' }).endpoint).toBe('http://a');
    expect(s3Settings({ AWS_ENDPOINT_URL_S3: 'http://b', AWS_ENDPOINT_URL: 'http://c' }).endpoint).toBe('http://b');
    expect(s3Settings({ AWS_ENDPOINT_URL_S3: 'https://s3.eu-west-1.amazonaws.com' })).toMatchObject({ isAws: true, forcePathStyle: false, checksums: undefined });
  });

  test('explicit choices win: path style, attempts, retry mode, checksums, region', () => {
    expect(s3Settings({ FLOWCTL_S3_FORCE_PATH_STYLE: '1' }).forcePathStyle).toBe(true);
    expect(s3Settings({ FLOWCTL_S3_ENDPOINT: 'http://minio.local', FLOWCTL_S3_FORCE_PATH_STYLE: '0' }).forcePathStyle).toBe(false);
    expect(s3Settings({ FLOWCTL_S3_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'adaptive' })).toMatchObject({ maxAttempts: 10, retryMode: 'adaptive' });
    expect(s3Settings({ AWS_MAX_ATTEMPTS: '3' }).maxAttempts).toBe(3);
    expect(s3Settings({ FLOWCTL_S3_MAX_ATTEMPTS: 'many' }).maxAttempts).toBe(6);
    expect(s3Settings({ FLOWCTL_S3_ENDPOINT: 'http://x', AWS_REQUEST_CHECKSUM_CALCULATION: 'when_supported' }).checksums).toBe('WHEN_SUPPORTED');
    expect(s3Settings({ AWS_DEFAULT_REGION: 'eu-west-3' }).region).toBe('eu-west-3');
  });

  test('a malformed endpoint is a usage error', () => {
    expect(() => s3Settings({ FLOWCTL_S3_ENDPOINT: 'localhost:9000' })).toThrow(expect.objectContaining({ code: 'S3_BAD_ENDPOINT', exitCode: 2 }));
  });

  test('the client gets the region from the environment, else us-east-1', async () => {
    const saved = { ...process.env };
    try {
      for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE']) delete process.env[k];
      process.env.AWS_CONFIG_FILE = '/nonexistent';
      const c = await createS3Client({ FLOWCTL_S3_ENDPOINT: 'http://127.0.0.1:9' });
      expect(await c.config.region()).toBe('us-east-1');
      expect(await c.config.forcePathStyle).toBe(true);
      const d = await createS3Client({ AWS_REGION: 'eu-central-1' });
      expect(await d.config.region()).toBe('eu-central-1');
    } finally {
      process.env = saved;
    }
  });
});

test('Limit runs at most N at once, in arrival order, and frees slots on failure', async () => {
  const limit = new Limit(2);
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  const job = (i: number) => limit.run(async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 5));
    order.push(i);
    active--;
    if (i === 3) throw new Error('boom');
    return i;
  });
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => job(i)));
  expect(peak).toBe(2);
  expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(await limit.run(async () => 'still works')).toBe('still works');
});
