// What the CLI reads from the environment, in one place (STYLE.md item 3): the server and
// key (which override the saved login) and where the config directory is.
import { homedir } from "node:os";
import { join } from "node:path";

function read(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

export const env = {
  url: () => read("PICTOGRAPH_URL"),
  apiKey: () => read("PICTOGRAPH_API_KEY"),
  /** `$XDG_CONFIG_HOME/pictograph`, else `~/.config/pictograph`. */
  configDir: () => join(read("XDG_CONFIG_HOME") ?? join(homedir(), ".config"), "pictograph"),
};
