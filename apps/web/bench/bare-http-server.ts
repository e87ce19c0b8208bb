// The API benchmark's floor: a bare node:http server answering every request with the same
// small JSON body /api/health returns, in a process of its own. What the machine, Node and
// the load generator manage with no application at all. Prints `listening: <port>`.
import { createServer } from "node:http";

const body = JSON.stringify({ status: "ok", mode: "bare", worker: false });
const server = createServer((_request, response) => {
  response.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening: ${typeof address === "object" && address ? address.port : 0}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
