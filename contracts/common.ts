import { z } from 'zod';

// Validation messages in the users' language (server and web both import the contracts).
z.config(z.locales.zhCN());

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBody>;

export const paging = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

/** Largest value of an int4 column (ids, versions, counts): beyond it PostgreSQL refuses the query. */
export const int4Max = 2_147_483_647;
/** A row id in a body (int4). */
export const dbId = z.number().int().positive().max(int4Max, `编号超出范围（最大 ${int4Max}）`);
/** A row id in a path or query string (int4). */
export const dbIdQuery = z.coerce.number().int().positive().max(int4Max, `编号超出范围（最大 ${int4Max}）`);
/** Text PostgreSQL can store: its text type refuses the NUL character (U+0000). */
export const storableString = z.string().refine((v) => !v.includes('\u0000'), '不能包含空字符（U+0000）');

export const idParam = z.object({ id: dbIdQuery });

/** One row-level problem in an uploaded file: rows are numbered as the spreadsheet shows them. */
export const rowError = z.object({ row: z.number().int(), field: z.string(), message: z.string() });
export type RowError = z.infer<typeof rowError>;
