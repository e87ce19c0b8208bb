import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { SessionProvider } from "~/ui/session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Pictograph", template: "%s · Pictograph" },
  description: "Annotated image datasets and exports",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#f6f7f9" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SessionProvider>{children}</SessionProvider>
      </body>
    </html>
  );
}
