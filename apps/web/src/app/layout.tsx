import type { ReactNode } from "react";

export const metadata = { title: "Pictograph", description: "Annotated image datasets and exports" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
