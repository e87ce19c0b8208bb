// The client's defaults from the environment: the one module of the SDK that reads
// process.env. A value is trimmed, and an empty value counts as unset.

export type EnvName = "PICTOGRAPH_URL" | "PICTOGRAPH_API_KEY";

export function readEnv(name: EnvName): string | undefined {
  const value = globalThis.process?.env?.[name]?.trim();
  return value ? value : undefined;
}
