import { z } from "zod";

export const PageParamsSchema = z.object({
  limit: z
    .int()
    .min(1, { error: "limit must be between 1 and 200" })
    .max(200, { error: "limit must be between 1 and 200" })
    .default(50),
  cursor: z
    .string()
    .max(500)
    .nullish()
    .transform((c) => c ?? null),
});
export type PageParams = z.infer<typeof PageParamsSchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}
export type Page<T> = { data: T[]; next_cursor: string | null };
