// /api/v1: the REST facade, the OpenAPI document and the file routes.
import { getRuntime } from "~/server/runtime";

export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  const runtime = await getRuntime();
  return runtime.api.handleRest(request);
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
