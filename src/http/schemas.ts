import { z } from "@hono/zod-openapi";
import {
  MARKUP_CHARACTERS,
  MARKUP_MESSAGE,
  NAME_MAX,
  UNSAFE_CHARACTERS,
  UNSAFE_IN_TEXT,
  UNSAFE_MESSAGE,
} from "../lib/names";

/** Schemas more than one capability validates with. */

/** An e-mail address as the product stores it: trimmed and lower-cased. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((email) => email.toLowerCase())
  .openapi({ example: "john@acme.com" });

/**
 * A line of text a person types (an address line): trimmed, NFC, no control, bidirectional
 * or zero-width characters (lib/names.ts). May be empty.
 */
export const textLine = (max: number, min = 0) =>
  z
    .string()
    .trim()
    .normalize("NFC")
    .min(min, "is required")
    .max(max)
    .refine((s) => !UNSAFE_CHARACTERS.test(s), UNSAFE_MESSAGE);

/**
 * Every human-entered name (organization, agent, knowledge base, API key, token): a text line
 * of 1–100 characters without `<` or `>`.
 */
export const Name = textLine(NAME_MAX, 1)
  .refine((s) => !MARKUP_CHARACTERS.test(s), MARKUP_MESSAGE)
  .openapi({
    description: "1–100 characters, trimmed; no control, bidirectional or zero-width characters, no < or >",
    example: "Acme West",
  });

/** Free text a person types (a description): like a text line, but tabs and line breaks are kept. */
export const freeText = (max: number) =>
  z
    .string()
    .normalize("NFC")
    .max(max)
    .refine((s) => !UNSAFE_IN_TEXT.test(s), UNSAFE_MESSAGE);
