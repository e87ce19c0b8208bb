// Keyset pagination (never OFFSET): a query fetches `limit + 1` rows after the cursor, and
// the extra row only tells whether another page exists.

export type KeysetPage<Item> = { items: Item[]; nextCursor: string | null };

/** Cuts the `limit + 1` rows a keyset query fetched into a page and the next cursor. */
export function pageOf<Row>(
  rows: Row[],
  limit: number,
  cursorOf: (row: Row) => string,
): KeysetPage<Row> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}
