import { Suspense } from "react";
import { ImageView } from "~/ui/image-view";

export default function ImagePage() {
  return (
    <Suspense>
      <ImageView />
    </Suspense>
  );
}
