// docker-compose.yml against the Compose Specification's own JSON schema (compose-spec/,
// kept as data; its README says where it came from). Read-only: validates a document that
// was already interpolated, as Compose validates the file it will run.
import Ajv2019 from "ajv/dist/2019";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const COMPOSE_SPEC_FILE = join(
  import.meta.dirname,
  "..",
  "compose-spec",
  "compose-spec.json",
);

/** Go durations, as Compose parses `interval: 5s` or `stop_grace_period: 1m30s`. */
const DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$|^0$/;
/** `[ip:][host[-range]:]container[-range][/protocol]`, e.g. "127.0.0.1:9000:9000". */
const PORTS =
  /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]+::?[0-9a-fA-F:]*):)?(?:(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
/** `expose:` entries: a container port or range, optionally with its protocol. */
const EXPOSE = /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
/** A network's `ipam.config[].subnet`, in CIDR notation. */
const SUBNET = /^(?:\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

/** A validator returning one `<path> <message>` line per error; none when the file is valid. */
export function createComposeValidator(
  schemaFile = COMPOSE_SPEC_FILE,
): (document: unknown) => string[] {
  const ajv = new Ajv2019({
    allErrors: true,
    strict: true,
    // The schema's own style, not mistakes: `type: [string, number]`, partial `required`.
    allowUnionTypes: true,
    strictRequired: false,
    strictTuples: false,
  });
  // The schema names itself with draft-04's `id`, which Ajv refuses outright: here it is a
  // plain annotation, as a draft 2019-09 validator that ignores unknown keywords reads it.
  ajv.removeKeyword("id");
  ajv.addKeyword({ keyword: "id", schemaType: "string" });
  ajv.addFormat("duration", DURATION);
  ajv.addFormat("ports", PORTS);
  ajv.addFormat("expose", EXPOSE);
  ajv.addFormat("subnet_ip_address", SUBNET);
  const schema = JSON.parse(readFileSync(schemaFile, "utf8")) as { $schema?: string };
  // It names its draft by the older http:// address; Ajv knows the draft by its https:// one.
  if (!/^https?:\/\/json-schema\.org\/draft\/2019-09\/schema#?$/.test(schema.$schema ?? ""))
    throw new Error(`${schemaFile}: expected a draft 2019-09 schema, not ${schema.$schema}`);
  const validate = ajv.compile({
    ...schema,
    $schema: "https://json-schema.org/draft/2019-09/schema",
  });
  return (document) =>
    validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
