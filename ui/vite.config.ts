import { defineConfig } from "vite";

// Built into the jar's classpath: the api serves target/classes/io/kindling/ui/ under /ui/.
export default defineConfig({
  base: "/ui/",
  build: {
    outDir: "target/classes/io/kindling/ui",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
  },
  server: {
    // `npm run dev` against a running stack (./kindling up): the api on 8080
    proxy: { "/v1": "http://127.0.0.1:8080", "/health": "http://127.0.0.1:8080" },
  },
});
