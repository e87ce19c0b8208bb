// In embedded mode the running server leaves its URL in the data directory, so `pnpm admin`
// can find it while it holds the database.
export const SERVER_FILE = "server.json";
