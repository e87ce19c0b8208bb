// Vitest global setup (vitest.config.ts): the Dockerfile's build steps, once per test run,
// for the tests that run docker-compose.yml's commands (dist/*.mjs) as plain processes.
import { tmpdir } from "node:os";
import { readDockerfile } from "./dockerfile";
import { buildImageOutputs } from "./service-process";

export default async function setup() {
  // PATH to find pnpm, HOME for its store: nothing else of this process's environment.
  // eslint-disable-next-line no-restricted-properties -- the host's PATH and HOME, not configuration
  const { PATH = "/usr/bin:/bin", HOME = tmpdir() } = process.env;
  await buildImageOutputs(readDockerfile(), { PATH, HOME });
}
