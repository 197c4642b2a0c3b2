package io.mnistspark.backend;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One argument of a oneDNN primitive: the ND4J array it comes from or goes to (bound before each call, never copied
 * to bind), the memory the primitive works in, and the reorder between the two when the primitive wants another
 * layout than the array's.
 */
@SuppressWarnings("VariableNameSameAsType") // oneDNN's types are lower-case (stream, reorder): named after the type
final class Operand {

    private final memory user;
    private final memory internal;
    private final reorder reorder; // null when the primitive works in the user's memory itself
    private long boundAddress;
    private long loadedAddress;

    @SuppressWarnings("ReferenceEquality") // the factories pass the user's memory itself when no reorder is needed
    private Operand(memory user, memory internal, boolean isInput) {
        this.user = user;
        this.internal = internal;
        this.reorder = user == internal ? null : isInput ? new reorder(user, internal) : new reorder(internal, user);
    }

    /** An argument the primitive reads, in {@code wanted}'s layout; the array is in {@code userLayout}. */
    static Operand input(memory.desc userLayout, memory.desc wanted) {
        return of(userLayout, wanted, true);
    }

    /** An argument the primitive writes, in {@code wanted}'s layout; the array is in {@code userLayout}. */
    static Operand output(memory.desc userLayout, memory.desc wanted) {
        return of(userLayout, wanted, false);
    }

    /** An argument the primitive reads or writes in the bound array itself. */
    static Operand inPlace(memory.desc layout) {
        return of(layout, layout, true);
    }

    private static Operand of(memory.desc userLayout, memory.desc wanted, boolean isInput) {
        // No data yet: bind gives it an array's before each use.
        memory user = new memory(userLayout, OneDnn.CPU, null);
        return new Operand(user, userLayout.equals(wanted) ? user : new memory(wanted, OneDnn.CPU), isInput);
    }

    boolean wants(memory.desc layout) {
        return internal.get_desc().equals(layout);
    }

    memory primitiveMemory() {
        return internal;
    }

    /** Points the user's memory at the array's elements, without copying. */
    Operand bind(INDArray array) {
        boundAddress = OneDnn.addressOf(array);
        user.set_data_handle(pointerTo(boundAddress));
        return this;
    }

    /** Copies the bound array into the primitive's layout. */
    void load(stream stream) {
        if (reorder != null) {
            reorder.execute(stream, user, internal);
        }
        loadedAddress = boundAddress;
    }

    /** True when the primitive's memory already holds the bound array, loaded by {@link #load} since the last
     * {@link #forget}. */
    boolean holdsLoaded() {
        return reorder == null || loadedAddress == boundAddress;
    }

    void forget() {
        loadedAddress = 0;
    }

    /** Copies the primitive's result out to the bound array. */
    void store(stream stream) {
        if (reorder != null) {
            reorder.execute(stream, internal, user);
        }
    }

    private static Pointer pointerTo(long nativeAddress) {
        // Inside the subclass the name "address" is Pointer's own field, hence the other parameter name.
        return new Pointer() {
            {
                address = nativeAddress;
            }
        };
    }
}
