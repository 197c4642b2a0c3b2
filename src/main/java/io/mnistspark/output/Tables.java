package io.mnistspark.output;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The output contract: folder names, column names and schemas of every table a run writes. Writers, tests and the
 * README all take them from here.
 */
public final class Tables {

    // Folders and files under a run's output folder
    public static final String MODEL = "model";
    public static final String MODEL_FILE = "model.zip";
    public static final String METRICS = "metrics";
    public static final String CLASS_METRICS = "class_metrics";
    public static final String CONFUSION_MATRIX = "confusion_matrix";
    public static final String PREDICTIONS = "predictions";
    public static final String MISCLASSIFIED = "misclassified";
    public static final String TRAINING_HISTORY = "training_history";
    public static final String TRAINING_ROUNDS = "training_rounds";
    public static final String RUN_JSON = "run.json";
    public static final String SUCCESS = "_SUCCESS";

    // Columns
    public static final String ACCURACY = "accuracy";
    public static final String PRECISION = "precision";
    public static final String RECALL = "recall";
    public static final String F1 = "f1";
    public static final String EXAMPLES = "examples";
    public static final String CORRECT = "correct";
    public static final String MISCLASSIFIED_COUNT = "misclassified";
    public static final String TRAIN_SECONDS = "train_seconds";
    public static final String EVAL_SECONDS = "eval_seconds";
    public static final String EPOCHS = "epochs";
    public static final String TRAIN_EXAMPLES = "train_examples";
    public static final String DIGIT = "digit";
    public static final String SUPPORT = "support";
    public static final String ACTUAL = "actual";
    public static final String PREDICTED = "predicted";
    public static final String COUNT = "count";
    public static final String INDEX = "index";
    public static final String LABEL = "label";
    public static final String CONFIDENCE = "confidence";
    public static final String PROBABILITIES = "probabilities";
    public static final String PIXELS = "pixels";
    public static final String EPOCH = "epoch";
    public static final String LOSS = "loss";
    public static final String ACCURACY_ON = "accuracy_on";
    public static final String SECONDS = "seconds";
    public static final String IMAGES_PER_SECOND = "images_per_second";
    public static final String ROUND = "round";
    public static final String WORKERS = "workers";
    public static final String MINIBATCHES = "minibatches";
    public static final String IMAGES = "images";
    public static final String FIT_SECONDS = "fit_seconds";
    public static final String AVERAGING_SECONDS = "averaging_seconds";

    /** One row. train_seconds, epochs and train_examples are null when a saved model was evaluated. */
    public static final StructType METRICS_SCHEMA = new StructType(new StructField[] {
        field(ACCURACY, DataTypes.DoubleType, false),
        field(PRECISION, DataTypes.DoubleType, false),
        field(RECALL, DataTypes.DoubleType, false),
        field(F1, DataTypes.DoubleType, false),
        field(EXAMPLES, DataTypes.LongType, false),
        field(CORRECT, DataTypes.LongType, false),
        field(MISCLASSIFIED_COUNT, DataTypes.LongType, false),
        field(TRAIN_SECONDS, DataTypes.DoubleType, true),
        field(EVAL_SECONDS, DataTypes.DoubleType, false),
        field(EPOCHS, DataTypes.IntegerType, true),
        field(TRAIN_EXAMPLES, DataTypes.LongType, true),
    });

    public static final StructType CLASS_METRICS_SCHEMA = new StructType(new StructField[] {
        field(DIGIT, DataTypes.IntegerType, false),
        field(PRECISION, DataTypes.DoubleType, false),
        field(RECALL, DataTypes.DoubleType, false),
        field(F1, DataTypes.DoubleType, false),
        field(SUPPORT, DataTypes.LongType, false),
    });

    public static final StructType CONFUSION_MATRIX_SCHEMA = new StructType(new StructField[] {
        field(ACTUAL, DataTypes.IntegerType, false),
        field(PREDICTED, DataTypes.IntegerType, false),
        field(COUNT, DataTypes.LongType, false),
    });

    public static final StructType PREDICTIONS_SCHEMA = new StructType(new StructField[] {
        field(INDEX, DataTypes.IntegerType, false),
        field(LABEL, DataTypes.IntegerType, false),
        field(PREDICTED, DataTypes.IntegerType, false),
        field(CONFIDENCE, DataTypes.FloatType, false),
        field(PROBABILITIES, DataTypes.createArrayType(DataTypes.FloatType, false), false),
    });

    /** The predictions columns plus the image: 784 grey values 0-255, row-major. */
    public static final StructType MISCLASSIFIED_SCHEMA =
            PREDICTIONS_SCHEMA.add(field(PIXELS, DataTypes.createArrayType(DataTypes.IntegerType, false), false));

    public static final StructType TRAINING_HISTORY_SCHEMA = new StructType(new StructField[] {
        field(EPOCH, DataTypes.IntegerType, false),
        field(LOSS, DataTypes.DoubleType, false),
        field(ACCURACY, DataTypes.DoubleType, false),
        field(ACCURACY_ON, DataTypes.StringType, false),
        field(SECONDS, DataTypes.DoubleType, false),
        field(IMAGES_PER_SECOND, DataTypes.DoubleType, false),
    });

    /** One row per averaging round, in training order. */
    public static final StructType TRAINING_ROUNDS_SCHEMA = new StructType(new StructField[] {
        field(EPOCH, DataTypes.IntegerType, false),
        field(ROUND, DataTypes.IntegerType, false),
        field(WORKERS, DataTypes.IntegerType, false),
        field(MINIBATCHES, DataTypes.IntegerType, false),
        field(IMAGES, DataTypes.LongType, false),
        field(SECONDS, DataTypes.DoubleType, false),
        field(FIT_SECONDS, DataTypes.DoubleType, false),
        field(AVERAGING_SECONDS, DataTypes.DoubleType, false),
        field(LOSS, DataTypes.DoubleType, false),
    });

    private Tables() {}

    private static StructField field(String name, org.apache.spark.sql.types.DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }
}
