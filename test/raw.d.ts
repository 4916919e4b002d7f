// Vite's `?raw` imports: a file's text, for tests that check configuration (wrangler.toml).
declare module "*?raw" {
  const text: string;
  export default text;
}
