// Test support: a real BlobStore whose reads of chosen keys (and, optionally, puts once they
// have stored their object) wait until the test opens a gate, so a build can be caught in the
// middle. Every other operation goes straight to the wrapped store. For tests only.
import type {
  BlobBody,
  BlobStore,
  ByteRange,
  PresignGetOptions,
  PutOptions,
} from "@pictograph/storage";

export class GatedStore implements BlobStore {
  readonly driver;
  /** Reads that are waiting at the gate. */
  waiting = 0;
  #open: () => void = () => undefined;
  #gate: Promise<void>;

  constructor(
    private readonly inner: BlobStore,
    private readonly gated: {
      reads?: (key: string) => boolean;
      storedPuts?: (key: string) => boolean;
      /** Every read takes at least this long: a slow disk or a distant bucket. */
      readDelayMs?: number;
    },
  ) {
    this.driver = inner.driver;
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  /** Lets every waiting and later read through. */
  open(): void {
    this.#open();
  }

  async get(key: string, range?: ByteRange) {
    if (this.gated.reads?.(key)) await this.#wait();
    if (this.gated.readDelayMs)
      await new Promise((resolve) => setTimeout(resolve, this.gated.readDelayMs));
    return this.inner.get(key, range);
  }

  async put(key: string, body: BlobBody, opts?: PutOptions) {
    const stored = await this.inner.put(key, body, opts);
    if (this.gated.storedPuts?.(key)) await this.#wait();
    return stored;
  }

  async #wait() {
    this.waiting++;
    await this.#gate;
    this.waiting--;
  }

  stat(key: string) {
    return this.inner.stat(key);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  presignGet(key: string, opts: PresignGetOptions) {
    return this.inner.presignGet(key, opts);
  }
  healthCheck() {
    return this.inner.healthCheck();
  }
  removeStaleTemp(olderThanMs: number) {
    return this.inner.removeStaleTemp(olderThanMs);
  }
}
