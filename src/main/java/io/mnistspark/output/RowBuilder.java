package io.mnistspark.output;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * Builds a row of a table's schema by column name, so that the order of the schema's columns is the schema's
 * business alone: swapping two columns of one type in a schema cannot write one's values under the other's name.
 */
public final class RowBuilder {

    private final StructType schema;
    private final Object[] values;
    private final boolean[] set;

    private RowBuilder(StructType schema) {
        this.schema = schema;
        this.values = new Object[schema.size()];
        this.set = new boolean[schema.size()];
    }

    public static RowBuilder of(StructType schema) {
        return new RowBuilder(schema);
    }

    /** Sets a column; a name the schema does not have is refused. */
    public RowBuilder set(String column, Object value) {
        int index = schema.fieldIndex(column); // throws IllegalArgumentException naming the column
        values[index] = value;
        set[index] = true;
        return this;
    }

    /** The row; refused while a column has not been set (null must be set explicitly). */
    public Row build() {
        for (int i = 0; i < set.length; i++) {
            if (!set[i]) {
                throw new IllegalStateException(
                        "column " + schema.fields()[i].name() + " of " + schema.simpleString() + " was not set");
            }
        }
        return RowFactory.create(values.clone());
    }
}
