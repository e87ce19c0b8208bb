// Cursor pages: `list` returns one page, `iter` walks every page (openai-node's
// pagination, without its Promise subclasses).

export type Page<T> = { data: T[]; next_cursor: string | null };

/** Every item of every page, fetching the next page only when the previous one is used up. */
export async function* iteratePages<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetchPage(cursor);
    yield* page.data;
    cursor = page.next_cursor;
  } while (cursor !== null);
}
