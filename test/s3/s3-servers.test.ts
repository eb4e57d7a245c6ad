/**
 * The two S3 servers the S3 suites run against (servers.ts): both start on a free port and
 * answer, stop() leaves nothing running, and a machine without moto_server fails the suites
 * with a message saying what to install (never a silent skip).
 */
import { connect } from 'node:net';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { MOTO_MISSING, startMoto } from './moto.js';
import { S3_SERVERS } from './servers.js';

const refused = (port: number) => new Promise<boolean>((resolve) => {
  const s = connect(port, '127.0.0.1');
  s.once('connect', () => {
    s.destroy();
    resolve(false);
  });
  s.once('error', () => resolve(true));
});

describe.each(S3_SERVERS)('%s', (name, server) => {
  test('starts on a free port with its buckets, answers S3 requests, and stop() ends it', async () => {
    const s3 = await server.start(['bucket', 'second']);
    try {
      expect(s3.name).toBe(name);
      const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      const buckets = (await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
      client.destroy();
      expect(buckets).toEqual(expect.arrayContaining(['bucket', 'second']));
    } finally {
      await s3.stop();
    }
    expect(await refused(s3.port)).toBe(true);
  }, 90_000);
});

test('without moto_server on PATH the S3 suites fail, saying what to install', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/usr/bin:/bin';
  try {
    await expect(startMoto()).rejects.toThrow(MOTO_MISSING);
  } finally {
    process.env.PATH = path;
  }
  expect(MOTO_MISSING).toMatch(/moto_server is not on PATH[\s\S]*pip install "moto\[server\]"/);
});
