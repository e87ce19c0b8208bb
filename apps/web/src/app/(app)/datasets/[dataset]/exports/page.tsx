import type { Metadata } from "next";
import { ExportsPage } from "~/ui/exports-page";

export const metadata: Metadata = { title: "Exports" };

export default function Page() {
  return <ExportsPage />;
}
