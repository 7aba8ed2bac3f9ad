/**
 * Data-quality audits, before anything is trained: {@link kiln.nn.data.audit.DataAudit} for a CSV table
 * (types, missing values, duplicate rows, rows shared between a training and a test file, class balance
 * with suggested class weights, numeric ranges, columns that carry no information or look wrong) and
 * {@link kiln.nn.data.audit.ImageAudit} for an image dataset (class balance, pixel range, blank and
 * duplicate images, test images that repeat training images). Each ends in findings that say what to
 * do about each problem.
 */
package kiln.nn.data.audit;
