export { appRouter, createCaller, type AppRouter } from "./root";
export { createApiHandler, REST_BASE, TRPC_BASE } from "./http/handler";
export { createApiContext } from "./http/context";
export { buildOpenApiDocument } from "./openapi";
export type { ApiServices, RequestQueue } from "./services";
export type { ApiContext, Caller } from "./trpc";
export { generateApiKey, hashPassword, hashToken } from "./auth/secrets";
export { errorResponseBody } from "./errors";
export { runAdminCommand, issueApiKey, AdminCommandSchema, type AdminCommand } from "./admin";
