// What every resource (`client.exports`, `client.datasets`…) is built on.
import type { Transport } from "./request";

export abstract class APIResource {
  constructor(protected readonly transport: Transport) {}
}
