// The whole API: one router per resource, procedure names are the SDK's verbs.
import { annotationsRouter } from "./routers/annotations";
import { authRouter } from "./routers/auth";
import { apiKeysRouter } from "./routers/api-keys";
import { classesRouter } from "./routers/classes";
import { datasetsRouter } from "./routers/datasets";
import { exportsRouter } from "./routers/exports";
import { imagesRouter } from "./routers/images";
import { importsRouter } from "./routers/imports";
import { workspaceRouter } from "./routers/workspace";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  workspace: workspaceRouter,
  datasets: datasetsRouter,
  classes: classesRouter,
  images: imagesRouter,
  annotations: annotationsRouter,
  exports: exportsRouter,
  imports: importsRouter,
  apiKeys: apiKeysRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
