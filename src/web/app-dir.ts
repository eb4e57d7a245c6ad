/** Where `npm run build` puts the single-page app: dist/web/app, next to the compiled server. */
import { fileURLToPath } from 'node:url';

export function defaultAppDir(): string {
  return fileURLToPath(new URL('./app/', import.meta.url));
}
