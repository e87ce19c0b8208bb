import type { ReactNode } from "react";
import { DatasetFrame } from "~/ui/dataset-frame";

export default function DatasetLayout({ children }: { children: ReactNode }) {
  return <DatasetFrame>{children}</DatasetFrame>;
}
