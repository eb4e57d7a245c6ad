/**
 * Work through a stream with a bounded number of items in flight: the listing is pulled only as
 * fast as the work drains, so memory stays flat however long the stream is.
 */

/**
 * Call `fn` on every item of `items` with at most `limit` calls pending; resolves when all are
 * done. The first error stops pulling new items and is thrown once the pending calls settle.
 */
export async function forEachLimit<T>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const pending = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const p: Promise<void> = fn(item).then(
      () => void pending.delete(p),
      (error) => {
        pending.delete(p);
        failure ??= { error };
      },
    );
    pending.add(p);
    if (pending.size >= limit) await Promise.race(pending);
  }
  await Promise.all(pending);
  if (failure) throw failure.error;
}
