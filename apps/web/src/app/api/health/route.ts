// Liveness and readiness: the database answers and storage is reachable.
import { getRuntime } from "~/server/runtime";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const runtime = await getRuntime();
    const checks = await runtime.health();
    return Response.json({ status: "ok", ...checks });
  } catch (error) {
    return Response.json({ status: "unavailable", error: (error as Error).message }, { status: 503 });
  }
}
