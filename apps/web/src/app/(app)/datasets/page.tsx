import type { Metadata } from "next";
import { DatasetsPage } from "~/ui/datasets-page";

export const metadata: Metadata = { title: "Datasets" };

export default function Page() {
  return <DatasetsPage />;
}
