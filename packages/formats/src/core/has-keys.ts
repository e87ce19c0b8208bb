// Whether a record has any own or inherited enumerable key, without making the array
// Object.keys would: asked of every annotation's attributes, which are nearly always empty.

export function hasKeys(record: object): boolean {
  for (const _key in record) return true;
  return false;
}
