package kiln.nn.deploy;

import java.util.List;
import java.util.Map;

import kiln.engine.Tensor;
import kiln.nn.data.prep.InvalidRowException;
import kiln.nn.data.prep.TablePreparation;

/**
 * Rows of a table, one value per column the model was trained on, in that order (numbers, texts of
 * categories, or null for a missing value), prepared exactly as in training: the fill values, clipping
 * bounds and categories fitted on the training split, kept in the checkpoint as a
 * {@link TablePreparation} config ({@code "type": "table"}).
 */
public final class TableEncoder implements InputEncoder {
    private final TablePreparation preparation;

    /** An encoder of the rows {@code preparation} was fitted for. */
    public TableEncoder(TablePreparation preparation) {
        if (preparation == null) {
            throw new IllegalArgumentException("TableEncoder: the preparation must not be null");
        }
        this.preparation = preparation;
    }

    static TableEncoder fromConfig(Map<String, Object> config) {
        return new TableEncoder(TablePreparation.fromConfig(config));
    }

    /** The preparation the rows go through. */
    public TablePreparation preparation() {
        return preparation;
    }

    /** The encoded features: one per numeric column, one per category of a one-hot column. */
    @Override
    public int[] shape() {
        return new int[] {preparation.width()};
    }

    /** One raw value per column. */
    @Override
    public int width() {
        return preparation.inputColumns().size();
    }

    @Override
    public List<String> columnNames() {
        return preparation.inputColumns();
    }

    @Override
    public boolean acceptsText() {
        return true;
    }

    @Override
    public Tensor encode(List<List<Object>> rows) {
        if (rows == null || rows.isEmpty()) {
            throw new InvalidRowException("no rows: send at least one row of " + describe());
        }
        return preparation.transform(rows);   // refuses a bad row with an InvalidRowException naming it
    }

    @Override
    public String describe() {
        return width() + " values per row, for the columns " + String.join(", ", preparation.inputColumns())
                + " (numbers, category texts, or null when missing)";
    }

    @Override
    public Map<String, Object> config() {
        return preparation.config();
    }
}
