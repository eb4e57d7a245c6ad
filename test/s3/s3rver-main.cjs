/**
 * Child process running s3rver for the tests (see s3rver.ts), printing {"port": N} once it listens.
 * Run with --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES.
 *
 * Two fixes to s3rver 3.7 so it behaves like S3 where flowctl relies on S3's guarantees:
 * - Listing: with a delimiter it prunes any directory below a common prefix before seeing
 *   whether an object lives deeper (so `flows/` of a store with only
 *   `flows/f/runs/r/run.json` lists as empty), and it pages in readdir order. Here a
 *   delimited listing takes every key after start-after, sorted, rolls them up into common
 *   prefixes and cuts the page at max-keys counting both, as S3 does.
 * - PUT and GET: it answers a PUT before the data is on disk (it resolves when its hashing
 *   stream ends, not when the file is written) and rewrites the object file in place, and a
 *   GET takes the length from one stat and the bytes from a later open. Here a PUT writes a
 *   temp file and renames it over the object before answering, and a GET opens the file
 *   first and takes length and bytes from that one open file: a reader racing a writer gets
 *   the old or the new object whole, as on S3.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem.js');
const S3Object = require('s3rver/lib/models/object.js');

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
  const tmp = `${objectPath}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const md5 = crypto.createHash('md5');
  let size = 0;
  const count = (chunk) => {
    md5.update(chunk);
    size += chunk.length;
  };
  if (Buffer.isBuffer(object.content)) {
    count(object.content);
    await fs.promises.writeFile(tmp, object.content);
  } else {
    await pipeline(object.content, new Transform({ transform(chunk, _enc, done) { count(chunk); done(null, chunk); } }), fs.createWriteStream(tmp));
  }
  await fs.promises.rename(tmp, objectPath);
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};

FilesystemStore.prototype.getObject = async function getObject(bucket, key, options) {
  let fh;
  try {
    fh = await fs.promises.open(this.getResourcePath(bucket, key, 'object'), 'r');
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
  let metadata;
  let st;
  try {
    [metadata, st] = await Promise.all([this.getMetadata(bucket, key), fh.stat()]);
  } catch (err) {
    await fh.close();
    if (err.code === 'ENOENT') return null;
    throw err;
  }
  metadata = { ...metadata, 'content-length': st.size, 'last-modified': st.mtime.toUTCString() };
  const lastByte = Math.max(0, st.size - 1);
  const ranged = options && (options.start !== undefined || options.end);
  const range = { start: (options && options.start) || 0, end: Math.min((options && options.end) || Infinity, lastByte) };
  if (range.start < 0 || range.end < range.start) {
    await fh.close();
    const object = new S3Object(bucket, key, null, metadata);
    if (ranged) object.range = range;
    return object;
  }
  const object = new S3Object(bucket, key, fh.createReadStream({ start: range.start, end: range.end }), metadata);
  if (ranged) object.range = range;
  return object;
};

const original = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
  const { delimiter = '', prefix = '', startAfter = '', maxKeys = Infinity } = options;
  const all = await original.call(this, bucket, { prefix, startAfter });
  const sorted = all.objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const objects = [];
  const commonPrefixes = [];
  let isTruncated = false;
  for (const o of sorted) {
    const idx = delimiter ? o.key.slice(prefix.length).indexOf(delimiter) : -1;
    const cp = idx === -1 ? undefined : o.key.slice(0, prefix.length + idx + delimiter.length);
    if (cp !== undefined && commonPrefixes.at(-1) === cp) continue;
    // s3rver's response builder needs an object on a truncated page (it names the last one in the
    // token): a page of nothing but prefixes just runs long instead.
    if (objects.length + commonPrefixes.length >= maxKeys && objects.length > 0) {
      isTruncated = true;
      break;
    }
    if (cp === undefined) objects.push(o);
    else commonPrefixes.push(cp);
  }
  return { objects, commonPrefixes, isTruncated };
};

const [dir, ...buckets] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
server.run().then(({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`), (e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
// The test process went away without stopping us (a crash, a killed jest worker): go too.
process.on('disconnect', () => process.exit(0));
