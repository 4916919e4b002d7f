// Vite's `?raw` imports: a file's text, for tests that check configuration (wrangler.toml).
declare module "*?raw" {
  const text: string;
  export default text;
}

// Vite's `import.meta.glob`: the texts of many files, for tests that check the source (id prefixes).
interface ImportMeta {
  glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, string>;
}
