import { z } from "@hono/zod-openapi";
import { Name } from "../http/schemas";
import { contrastRatio } from "../lib/colour";

const HttpsUrl = z
  .url({ protocol: /^https$/, message: "an https:// URL" })
  .max(2048)
  .nullable()
  .optional();
/** Brand colours carry white text (the header, buttons) and are the links' colour on white. */
const MIN_CONTRAST_WITH_WHITE = 4.5;
const Colour = z
  .string()
  // `abort`: a malformed value gets this error alone, never the contrast check's as well.
  .regex(/^#[0-9a-fA-F]{6}$/, { error: "a colour as #rrggbb", abort: true })
  .toLowerCase()
  .refine((c) => contrastRatio(c, "#ffffff") >= MIN_CONTRAST_WITH_WHITE, {
    error: (issue) =>
      `too light for the white text it carries: ${contrastRatio(String(issue.input), "#ffffff").toFixed(2)}:1 ` +
      `against white, and at least ${MIN_CONTRAST_WITH_WHITE}:1 is needed (WCAG AA); choose a darker colour`,
  })
  .nullable()
  .optional();

/** PUT /admin/organization/branding: replaces the org's own branding; a field left out (or null) is inherited. */
export const BrandingBody = z
  .object({
    display_name: Name.nullable().optional(),
    logo_url: HttpsUrl,
    icon_url: HttpsUrl,
    primary_color: Colour,
    accent_color: Colour,
    support_email: z.email().max(254).nullable().optional(),
    hide_product_name: z
      .boolean()
      .nullable()
      .optional()
      .openapi({ description: "Agency and enterprise plans only (403 plan_required otherwise)" }),
  })
  .strict();

const OwnSchema = z
  .object({
    display_name: z.string().nullable(),
    logo_url: z.string().nullable(),
    icon_url: z.string().nullable(),
    primary_color: z.string().nullable(),
    accent_color: z.string().nullable(),
    support_email: z.string().nullable(),
    hide_product_name: z.boolean().nullable(),
  })
  .openapi("OwnBranding");

const sourced = <T extends z.ZodType>(value: T) =>
  z.object({
    value,
    org_id: z.string().nullable().openapi({ description: "The org this value comes from (null: the default)" }),
  });

export const BrandingSchema = z
  .object({
    own: OwnSchema,
    effective: z
      .object({
        display_name: sourced(z.string().nullable()),
        logo_url: sourced(z.string().nullable()),
        icon_url: sourced(z.string().nullable()),
        primary_color: sourced(z.string().nullable()),
        accent_color: sourced(z.string().nullable()),
        support_email: sourced(z.string().nullable()),
        hide_product_name: sourced(z.boolean()),
      })
      .openapi({ description: "What is in force: each unset field from the nearest ancestor setting it" }),
  })
  .openapi("Branding");
