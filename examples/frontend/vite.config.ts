import { defineConfig } from "vite";

// The app reads the API's base URL from VITE_API_URL at build time (see src/api.ts).
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true },
  preview: { strictPort: true },
  server: { strictPort: true },
});
