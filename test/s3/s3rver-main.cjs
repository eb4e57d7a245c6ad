/**
 * Child process running s3rver for the tests (see s3rver.ts), printing {"port": N} once it listens.
 * Run with --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES.
 *
 * One fix to s3rver 3.7 so it lists like S3: with a delimiter it prunes any directory below
 * a common prefix before seeing whether an object lives deeper (so `flows/` of a store with
 * only `flows/f/runs/r/run.json` lists as empty), and it pages in readdir order. Here a
 * delimited listing takes every key after start-after, sorted, rolls them up into common
 * prefixes and cuts the page at max-keys counting both, as S3 does.
 */
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem.js');

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
