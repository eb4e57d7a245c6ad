/** "Did you mean …" for misspelled names in expressions: the same rule as the rest of the spec. */
export { closest, didYouMean } from '../suggest.js';
