/** Exit code of the live view process when its output (flowctl's stderr) cannot be written any more. */
export const OUTPUT_GONE_EXIT_CODE = 3;
