import type { z } from "zod";
import { AppError } from "../lib/errors";

/** What a form shows again after the server refused it: the values sent and an error per field. */
export type FormState = {
  form: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  message?: string;
};

/** The string fields of a posted form (files are never expected). */
export function formValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  return out;
}

/**
 * Validates a form with the API's own zod schema. Blank optional fields are left out, as a
 * JSON client would leave them out. Failure → a FormState with each issue under its field.
 */
export function parseForm<S extends z.ZodType>(
  form: string,
  schema: S,
  values: Record<string, string>,
  shape: (v: Record<string, string>) => unknown,
): { ok: true; data: z.infer<S> } | { ok: false; state: FormState } {
  const r = schema.safeParse(shape(values));
  if (r.success) return { ok: true, data: r.data };
  const errors: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return { ok: false, state: { form, values, errors } };
}

/** A service's refusal as a FormState: field errors where it names fields, else one message. */
export function refusal(form: string, values: Record<string, string>, err: AppError): FormState {
  const errors: Record<string, string> = {};
  for (const e of err.errors ?? []) errors[e.field] ??= e.message;
  if (err.code === "slug_taken" || err.code === "slug_reserved") errors.slug = err.detail ?? err.code;
  const named = Object.keys(errors).length > 0;
  return { form, values, errors, message: named ? undefined : (err.detail ?? err.message) };
}

/** Drops blank strings, so an empty optional field means "not given". */
export const nonBlank = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v);

/** Errors a form shows; anything else (no access, no such org) is an error page. */
export function isFormRefusal(err: unknown): err is AppError {
  return (
    err instanceof AppError &&
    ![
      "unauthenticated",
      "invalid_credential",
      "credential_revoked",
      "credential_expired",
      "not_a_member",
      "not_found",
      "cross_site_request",
    ].includes(err.code)
  );
}
