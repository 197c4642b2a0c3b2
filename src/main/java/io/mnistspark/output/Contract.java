package io.mnistspark.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnistspark.config.ConfigKeys;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The output contract as data, for the readers that are not Java: every table of a run folder with its columns in
 * order, its special files, the keys of {@code run.json} and those of the configuration (which {@code run.json}'s
 * {@code config} uses). {@code notebooks/contract.json} is this class's output
 * ({@code ContractTest} fails while the two differ); the notebooks and the scripts under {@code submit/lib} read their
 * names from that file instead of spelling them.
 */
public final class Contract {

    /** Where the generated contract is kept in the repository. */
    public static final String FILE = "notebooks/contract.json";

    private Contract() {}

    /** The tables of a run folder (train and evaluate), by folder name, each with its schema. */
    public static Map<String, StructType> tables() {
        Map<String, StructType> tables = new LinkedHashMap<>();
        tables.put(Tables.METRICS, Tables.METRICS_SCHEMA);
        tables.put(Tables.CLASS_METRICS, Tables.CLASS_METRICS_SCHEMA);
        tables.put(Tables.CONFUSION_MATRIX, Tables.CONFUSION_MATRIX_SCHEMA);
        tables.put(Tables.PREDICTIONS, Tables.PREDICTIONS_SCHEMA);
        tables.put(Tables.MISCLASSIFIED, Tables.MISCLASSIFIED_SCHEMA);
        tables.put(Tables.TRAINING_HISTORY, Tables.TRAINING_HISTORY_SCHEMA);
        tables.put(Tables.TRAINING_ROUNDS, Tables.TRAINING_ROUNDS_SCHEMA);
        return tables;
    }

    /** The contract as JSON, as {@code notebooks/contract.json} holds it. */
    public static String toJson() {
        Map<String, Object> contract = new LinkedHashMap<>();
        contract.put("comment", "Generated from io.mnistspark.output.Contract: do not edit by hand (see its Javadoc)");
        Map<String, List<String>> tables = new LinkedHashMap<>();
        tables().forEach((name, schema) -> tables.put(
                name, Arrays.stream(schema.fields()).map(StructField::name).toList()));
        contract.put("tables", tables);
        contract.put("training_only_tables", List.of(Tables.TRAINING_HISTORY, Tables.TRAINING_ROUNDS));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("run_json", Tables.RUN_JSON);
        files.put("success", Tables.SUCCESS);
        files.put("model", RunLayout.MODEL_ZIP);
        contract.put("files", files);
        contract.put("run_json", constants(RunJson.class));
        contract.put("config_keys", constants(ConfigKeys.class));
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(contract) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("the contract could not be serialised", e);
        }
    }

    /** Prints the contract: {@code java ... io.mnistspark.output.Contract > notebooks/contract.json}. */
    public static void main(String[] args) {
        System.out.print(toJson());
    }

    /** The public String constants of a class, by field name. */
    private static Map<String, String> constants(Class<?> holder) {
        Map<String, String> constants = new LinkedHashMap<>();
        for (Field field : holder.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && field.getType() == String.class) {
                try {
                    constants.put(field.getName(), (String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return constants;
    }
}
