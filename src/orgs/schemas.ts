import { z } from "@hono/zod-openapi";
import { Name, textLine } from "../http/schemas";

/** The request bodies of the organization routes; services take what they parse to. */

const SlugField = z.string().trim().min(1).max(63).toLowerCase();
const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, "E.164 phone number, e.g. +14155550100");

export const CreateOrgBody = z
  .object({
    name: Name,
    slug: z
      .union([SlugField, z.literal("")])
      .optional()
      .openapi({ description: "Latin letters, digits, hyphens; generated from the name when blank" }),
    parent_id: z.string().optional().openapi({ description: "Create a child organization (partner rules apply)" }),
    billing_email: z.email().max(254).optional(),
  })
  .strict();

const BillingAddress = z
  .object({
    line1: textLine(200).optional(),
    line2: textLine(200).optional(),
    city: textLine(100).optional(),
    state: textLine(100).optional(),
    postal_code: textLine(20).optional(),
    country: z.string().length(2).toUpperCase().optional().openapi({ description: "ISO 3166-1 alpha-2" }),
  })
  .strict();

export const PatchOrgBody = z
  .object({
    name: Name.optional(),
    slug: SlugField.optional(),
    avatar_url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable()
      .optional(),
    billing_email: z.email().max(254).nullable().optional(),
    billing_address: BillingAddress.nullable().optional(),
    phone_numbers: z
      .array(E164)
      .max(50)
      .refine((ns) => new Set(ns).size === ns.length, "Each number at most once.")
      .optional()
      .openapi({ description: "Numbers provisioned to this organization (GET /admin/phone-numbers) only" }),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "Send at least one field to change." });

export type OrgPatch = z.infer<typeof PatchOrgBody>;
