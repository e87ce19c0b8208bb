// /api/trpc: the same procedures for the web UI.
import { getRuntime } from "~/server/runtime";

export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  const runtime = await getRuntime();
  return runtime.api.handleTrpc(request);
}

export { handle as GET, handle as POST };
