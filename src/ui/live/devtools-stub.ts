/**
 * Stands in for `react-devtools-core` in the bundled live view (see package.json `build`):
 * ink imports it only when DEV=true, it is not a dependency of flowctl, and a bundle must
 * resolve every import up front.
 */
export default {
  initialize(): void {},
  connectToDevTools(): void {},
};
