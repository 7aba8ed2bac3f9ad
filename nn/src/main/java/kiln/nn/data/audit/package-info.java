/**
 * A data-quality audit of a CSV table, before anything is trained on it: types, missing values,
 * duplicate rows, rows shared between a training and a test file (leakage), class balance with
 * suggested class weights, numeric ranges, and columns that carry no information or look wrong.
 * {@link kiln.nn.data.audit.DataAudit} is the entry point; its findings say what to do about each problem.
 */
package kiln.nn.data.audit;
