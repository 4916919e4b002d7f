/** @jsxImportSource hono/jsx */
import type { FormState } from "./forms";
import { FieldError, FormMessage, Layout } from "./layout-view";

/** Step 1 asks for the e-mail; step 2 (after "Send code") for the six-digit code sent to it. */
export function SignInPage({ step, state }: { step: "email" | "code"; state?: FormState }) {
  const email = state?.values.email ?? "";
  return (
    <Layout title="Sign in">
      <section>
        <h1>Sign in</h1>
        <FormMessage message={state?.message} />
        {step === "email" ? (
          <form method="post" action="/sign-in/start" novalidate>
            <label for="email">Email</label>
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="email"
              required
              value={email}
              aria-describedby={state?.errors.email ? "email-error" : undefined}
            />
            <FieldError id="email-error" message={state?.errors.email} />
            <p>
              <button type="submit">Send code</button>
            </p>
          </form>
        ) : (
          <form method="post" action="/sign-in/verify" novalidate>
            <p class="note" role="status">
              We sent a six-digit code to {email}. It is valid for 10 minutes.
            </p>
            <input type="hidden" name="email" value={email} />
            <label for="code">Code</label>
            <input
              id="code"
              name="code"
              inputmode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              required
              aria-describedby={state?.errors.code ? "code-error" : undefined}
            />
            <FieldError id="code-error" message={state?.errors.code} />
            <p>
              <button type="submit">Sign in</button>
            </p>
            <p>
              <a href="/sign-in">Use another e-mail</a>
            </p>
          </form>
        )}
      </section>
    </Layout>
  );
}
