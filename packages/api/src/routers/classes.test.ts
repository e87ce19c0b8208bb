// A dataset's class list over REST: its order is what exports turn into class indices, so
// a replacement keeps exactly the order given, annotations follow their class through a
// reorder, and a class still in use cannot be removed.
import { testBackends } from "@pictograph/db/testing";
import type { Class } from "@pictograph/schema";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pngFile } from "../test-images";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  type TestApi,
  type TestWorkspace,
} from "../testing";

describe.each(testBackends(process.env.TEST_DATABASE_URL))("classes on $name", (backend) => {
  let t: TestApi;
  let ws: TestWorkspace;
  const call = (method: string, path: string, json?: unknown, key = ws.keys.member) =>
    callRest(t.api, method, path, { key, json });
  const names = async (dataset: string) =>
    expectOk<Class[]>(await call("GET", `/datasets/${dataset}/classes`)).map((c) => [
      c.name,
      c.position,
    ]);

  beforeAll(async () => {
    t = await openTestApi(backend, { recordJobs: true });
    ws = await provisionWorkspace(t.db);
  });
  afterAll(() => t?.close());
  afterEach(() => expect(t.internalErrors).toEqual([]));

  it("replaces the list keeping the given order as positions, with every class field", async () => {
    expectOk(await call("POST", "/datasets", { name: "order" }), 201);
    expect(expectOk(await call("GET", "/datasets/order/classes"))).toEqual([]);
    const classes = [
      { name: "zebra", color: "#000000" },
      {
        name: "car",
        color: "#ff0000",
        attributes: [
          { kind: "select", name: "paint", options: ["red", "blue"], default: "red" },
          { kind: "checkbox", name: "parked" },
        ],
      },
      { name: "ünïcödé 車", color: "#00ff00", keypoints: ["head", "tail"] },
    ];
    const replaced = expectOk<Class[]>(await call("PUT", "/datasets/order/classes", { classes }));
    expect(replaced.map((c) => [c.name, c.position])).toEqual([
      ["zebra", 0],
      ["car", 1],
      ["ünïcödé 車", 2],
    ]);
    expect(replaced[1]).toMatchObject({ attributes: classes[1]!.attributes, keypoints: null });
    expect(replaced[2]).toMatchObject({ keypoints: ["head", "tail"], attributes: [] });
    expect(expectOk(await call("GET", "/datasets/order/classes"))).toEqual(replaced);
  });

  it("keeps annotations on their class through a reorder and refuses to drop a class in use", async () => {
    const classes = [
      { name: "car", color: "#ff0000" },
      { name: "bus", color: "#0000ff" },
      { name: "tree", color: "#00ff00" },
    ];
    expectOk(await call("POST", "/datasets", { name: "used", classes }), 201);
    expectOk(
      await callRest(t.api, "PUT", "/datasets/used/images/a.png", {
        key: ws.keys.member,
        body: pngFile(20, 20),
      }),
      201,
    );
    const annotations = [
      { type: "bbox", class_name: "bus", bbox: { x: 1, y: 1, w: 5, h: 5 } },
      { type: "bbox", class_name: "car", bbox: { x: 2, y: 2, w: 5, h: 5 } },
    ];
    expectOk(await call("PUT", "/datasets/used/annotations/a.png", { annotations }));

    // Reverse the order and recolour: the annotations still name their classes.
    const reversed = [...classes].reverse().map((c) => ({ ...c, color: "#123456" }));
    expectOk(await call("PUT", "/datasets/used/classes", { classes: reversed }));
    expect(await names("used")).toEqual([
      ["tree", 0],
      ["bus", 1],
      ["car", 2],
    ]);
    const after = expectOk<{ annotations: { class_name: string }[] }>(
      await call("GET", "/datasets/used/annotations/a.png"),
    );
    expect(after.annotations.map((a) => a.class_name)).toEqual(["bus", "car"]);

    // Dropping an unused class is fine; dropping used ones is a 409 naming them and their counts.
    expectOk(
      await call("PUT", "/datasets/used/classes", {
        classes: reversed.filter((c) => c.name !== "tree"),
      }),
    );
    const message = expectError(
      await call("PUT", "/datasets/used/classes", { classes: [] }),
      409,
      "conflict",
    );
    expect(message).toContain('"bus" (1 annotations)');
    expect(message).toContain('"car" (1 annotations)');
    expect(await names("used")).toEqual([
      ["bus", 0],
      ["car", 1],
    ]);
  });

  it("refuses invalid lists with 422 naming the field and the rule, changing nothing", async () => {
    expectOk(
      await call("POST", "/datasets", {
        name: "strict",
        classes: [{ name: "car", color: "#ff0000" }],
      }),
      201,
    );
    const cases: [body: unknown, message: RegExp][] = [
      [{}, /classes/],
      [{ classes: {} }, /classes/],
      [{ classes: [{ name: "car", color: "#f00" }] }, /color must be #rrggbb/],
      [
        { classes: [{ name: " car", color: "#ff0000" }] },
        /class name must not start or end with white space/,
      ],
      [
        { classes: [{ name: "a\u0007b", color: "#ff0000" }] },
        /class name must not contain control characters/,
      ],
      [
        { classes: [{ name: "x".repeat(121), color: "#ff0000" }] },
        /class name must be 1–120 characters/,
      ],
      [
        {
          classes: [
            { name: "car", color: "#ff0000" },
            { name: "car", color: "#00ff00" },
          ],
        },
        /class "car" is listed twice/,
      ],
      [
        {
          classes: [{ name: "car", color: "#ff0000", attributes: [{ kind: "slider", name: "x" }] }],
        },
        /kind|attributes/,
      ],
    ];
    for (const [body, message] of cases) {
      expect(
        expectError(await call("PUT", "/datasets/strict/classes", body), 422, "validation_error"),
        JSON.stringify(body),
      ).toMatch(message);
    }
    expect(await names("strict")).toEqual([["car", 0]]);
    // Upper-case hex is taken and stored lower-case.
    expect(
      expectOk<Class[]>(
        await call("PUT", "/datasets/strict/classes", {
          classes: [{ name: "car", color: "#AABBCC" }],
        }),
      )[0]?.color,
    ).toBe("#aabbcc");
    expectError(await call("PUT", "/datasets/nope/classes", { classes: [] }), 404, "not_found");
    expectError(await call("GET", "/datasets/nope/classes"), 404, "not_found");
  });
});
