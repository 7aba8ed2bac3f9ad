/**
 * The data pipeline: datasets, loaders and samplers, file formats (IDX, CSV), Fashion-MNIST, splits,
 * scaling fitted on the training split only, augmentation and synthetic datasets.
 */
package kiln.nn.data;
