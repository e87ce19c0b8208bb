// Web sign-in with email and password: a session cookie (HttpOnly, SameSite=Lax) whose
// token is stored hashed. Programs use API keys instead.
import {
  createSession,
  deleteSession,
  getUserByEmail,
  listMemberships,
  principalOfSession,
  setSessionWorkspace,
} from "@pictograph/db";
import { RoleSchema, WorkspaceNameSchema } from "@pictograph/schema";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { generateSessionToken, hashToken, verifyPassword } from "../auth/secrets";
import { fail } from "../errors";
import { SESSION_COOKIE } from "../http/context";
import { publicProcedure, type ApiContext } from "../trpc";

const SESSION_DAYS = 30;

const SessionSchema = z.object({
  email: z.string(),
  workspace: WorkspaceNameSchema,
  role: RoleSchema,
  workspaces: z.array(z.object({ name: WorkspaceNameSchema, role: RoleSchema })),
});

function setSessionCookie(ctx: ApiContext, token: string, maxAgeSeconds: number) {
  const secure = ctx.origin.startsWith("https:") ? "; Secure" : "";
  ctx.responseHeaders.append(
    "set-cookie",
    `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`,
  );
}

async function sessionOf(ctx: ApiContext, token: string | null) {
  if (!token) return null;
  const principal = await principalOfSession(ctx.services.db, {
    tokenHash: hashToken(token),
    now: ctx.services.now(),
  });
  if (!principal?.userId) return null;
  const workspaces = await listMemberships(ctx.services.db, { userId: principal.userId });
  return {
    email: principal.email,
    workspace: principal.workspaceName,
    role: principal.role,
    workspaces: workspaces.map((w) => ({ name: w.workspaceName, role: w.role })),
  };
}

export const authRouter = {
  signIn: publicProcedure
    .input(
      z.object({
        email: z.string().trim().min(1, { error: "enter your email" }).max(320),
        password: z.string().min(1, { error: "enter your password" }).max(1000),
      }),
    )
    .output(SessionSchema)
    .mutation(async ({ ctx, input }) => {
      const { db } = ctx.services;
      const user = await getUserByEmail(db, { email: input.email });
      const valid = user?.passwordHash
        ? await verifyPassword(input.password, user.passwordHash)
        : false;
      if (!user || !valid) return fail("unauthorized", "wrong email or password");
      const [first] = await listMemberships(db, { userId: user.id });
      if (!first)
        return fail(
          "forbidden",
          "this account is not a member of any workspace; ask an admin to add you",
        );
      const { token, hash } = generateSessionToken();
      await createSession(db, {
        userId: user.id,
        workspaceId: first.workspaceId,
        tokenHash: hash,
        expiresAt: new Date(ctx.services.now().getTime() + SESSION_DAYS * 86_400_000),
      });
      setSessionCookie(ctx, token, SESSION_DAYS * 86_400);
      return (await sessionOf(ctx, token))!;
    }),

  session: publicProcedure
    .output(SessionSchema.nullable())
    .query(({ ctx }) => sessionOf(ctx, ctx.sessionToken)),

  switchWorkspace: publicProcedure
    .input(z.object({ workspace: WorkspaceNameSchema }))
    .output(SessionSchema)
    .mutation(async ({ ctx, input }) => {
      const current = await sessionOf(ctx, ctx.sessionToken);
      if (!current || !ctx.sessionToken) return fail("unauthorized", "sign in first");
      const principal = await principalOfSession(ctx.services.db, {
        tokenHash: hashToken(ctx.sessionToken),
        now: ctx.services.now(),
      });
      const target = (await listMemberships(ctx.services.db, { userId: principal!.userId! })).find(
        (m) => m.workspaceName === input.workspace,
      );
      if (!target) return fail("not_found", `workspace "${input.workspace}" not found`);
      await setSessionWorkspace(ctx.services.db, {
        tokenHash: hashToken(ctx.sessionToken),
        workspaceId: target.workspaceId,
      });
      return (await sessionOf(ctx, ctx.sessionToken))!;
    }),

  signOut: publicProcedure.output(z.void()).mutation(async ({ ctx }) => {
    if (ctx.sessionToken)
      await deleteSession(ctx.services.db, { tokenHash: hashToken(ctx.sessionToken) });
    setSessionCookie(ctx, "", 0);
  }),
} satisfies TRPCRouterRecord;
