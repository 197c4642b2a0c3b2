package io.mnistspark.output;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The output contract of {@code predict --output DIR}: besides {@code run.json} and {@code _SUCCESS}, one Parquet
 * table of the scored files and one of the files that could not be scored. Column names shared with a run's tables
 * come from {@link Tables}.
 */
public final class PredictionTables {

    // Folders under the output folder
    public static final String FILE_PREDICTIONS = "file_predictions";
    public static final String FAILED_FILES = "failed_files";

    // Columns
    public static final String FILE = "file";
    public static final String PROBLEM = "problem";

    /** One row per scored file: the file as it was named, the digit, its probability and all ten probabilities. */
    public static final StructType FILE_PREDICTIONS_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField(FILE, DataTypes.StringType, false),
        DataTypes.createStructField(Tables.PREDICTED, DataTypes.IntegerType, false),
        DataTypes.createStructField(Tables.CONFIDENCE, DataTypes.FloatType, false),
        DataTypes.createStructField(Tables.PROBABILITIES, DataTypes.createArrayType(DataTypes.FloatType, false), false),
    });

    /** One row per input that could not be scored, with the message naming its line and problem. */
    public static final StructType FAILED_FILES_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField(FILE, DataTypes.StringType, false),
        DataTypes.createStructField(PROBLEM, DataTypes.StringType, false),
    });

    private PredictionTables() {}
}
