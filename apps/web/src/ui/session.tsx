"use client";
// Who is signed in, in which workspace, with which role — read once from `auth.session` and
// shared by every page. Pages use `can(role)` to leave out what the role may not do, so a
// viewer is never offered a button the API would refuse.
import type { Role } from "@pictograph/schema";
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";
import { api, describeFailure, type ApiFailure } from "./api-client";

export type Session = {
  email: string;
  workspace: string;
  role: Role;
  workspaces: { name: string; role: Role }[];
};

type SessionState =
  | { status: "loading" }
  | { status: "signed-out" }
  | { status: "failed"; failure: ApiFailure }
  | { status: "signed-in"; session: Session };

type SessionContextValue = {
  state: SessionState;
  refresh(): Promise<void>;
  signedIn(session: Session): void;
  signOut(): Promise<void>;
  switchWorkspace(workspace: string): Promise<void>;
};

const SessionContext = createContext<SessionContextValue | null>(null);

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };

/** Whether `role` may do what needs `minimum` (viewer: read and download; member: create; admin: delete, keys). */
export function can(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  const refresh = useCallback(async () => {
    try {
      const session = await api.auth.session.query();
      setState(session ? { status: "signed-in", session } : { status: "signed-out" });
    } catch (error) {
      setState({ status: "failed", failure: describeFailure(error) });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo<SessionContextValue>(
    () => ({
      state,
      refresh,
      signedIn: (session) => setState({ status: "signed-in", session }),
      async signOut() {
        await api.auth.signOut.mutate();
        setState({ status: "signed-out" });
      },
      async switchWorkspace(workspace) {
        const session = await api.auth.switchWorkspace.mutate({ workspace });
        setState({ status: "signed-in", session });
      },
    }),
    [state, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSessionState needs a SessionProvider above it");
  return value;
}

/** The signed-in session; only for components rendered inside the signed-in shell. */
export function useSession(): Session {
  const { state } = useSessionState();
  if (state.status !== "signed-in") throw new Error("useSession is only for signed-in pages");
  return state.session;
}
