package io.mnistspark.doctor;

import java.io.Serializable;

/**
 * One line of the doctor's report: what was checked, where (the driver or an executor), how it came out, and what was
 * found or what to do. Every failure's detail names the setting or the path to change.
 */
public record Check(String check, String where, Status status, String detail) implements Serializable {

    public enum Status {
        OK,
        WARN,
        FAIL;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Check ok(String check, String where, String detail) {
        return new Check(check, where, Status.OK, detail);
    }

    static Check warn(String check, String where, String detail) {
        return new Check(check, where, Status.WARN, detail);
    }

    static Check fail(String check, String where, String detail) {
        return new Check(check, where, Status.FAIL, detail);
    }
}
