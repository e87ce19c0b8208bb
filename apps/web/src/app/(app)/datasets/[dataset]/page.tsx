import { Suspense } from "react";
import { ImageGrid } from "~/ui/image-grid";

export default function DatasetImagesPage() {
  return (
    <Suspense>
      <ImageGrid />
    </Suspense>
  );
}
