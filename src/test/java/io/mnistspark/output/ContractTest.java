package io.mnistspark.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContractTest {

    @Test
    void theCheckedInContractForPythonIsTheJavaContract() throws IOException {
        String generated = Contract.toJson();
        Path kept = Path.of(Contract.FILE);
        String onDisk = Files.isRegularFile(kept) ? Files.readString(kept) : "";
        if (!generated.equals(onDisk)) {
            Path fresh = Path.of("target", "contract.json");
            Files.createDirectories(fresh.getParent());
            Files.writeString(fresh, generated);
            assertEquals(
                    generated,
                    onDisk,
                    Contract.FILE + " differs from the Java contract: the generated one is in " + fresh + " (cp "
                            + fresh + " " + Contract.FILE + ")");
        }
    }
}
