package io.mnistspark.training;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.broadcast.Broadcast;
import scala.reflect.ClassTag$;

/**
 * Passes a round's bulk data between the driver and its tasks by reference, for Spark's {@code local[N]} masters, where
 * the tasks run in the driver's JVM. Only a ticket, a number, goes through Spark.
 *
 * <p>Why: Spark serialises a broadcast's value into blocks when it is created, and every task result once the task
 * ends, also in local mode, where nothing reads those bytes from another JVM. A round's parameters and Adam's state
 * (525,000 floats) were serialised and compressed for the broadcast (12-15 ms of the driver's time a round), and each
 * worker's result of the same size was serialised, stored in the block manager, fetched back and deserialised (the
 * last worker's result reached the driver 24-37 ms after its last minibatch), while the other worker waited: the
 * driver's timers of a default 2-epoch run, 15 rounds an epoch. On other masters the tasks run elsewhere, and the
 * trainer uses Spark's broadcast and results as before.
 */
final class InProcessHandover {

    private static final Map<Long, Object> OBJECTS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_TICKET = new AtomicLong();

    private InProcessHandover() {}

    /** What a task or the driver passes through Spark instead of the object it stands for. */
    record Ticket(long number) implements Serializable {}

    /** Keeps {@code object} until {@link #take}; returns the ticket that names it. */
    static Ticket deposit(Object object) {
        Ticket ticket = new Ticket(NEXT_TICKET.incrementAndGet());
        OBJECTS.put(ticket.number(), object);
        return ticket;
    }

    /** The object of {@code ticket}, still kept; null if it was taken. */
    static <T> T peek(Ticket ticket, Class<T> type) {
        return type.cast(OBJECTS.get(ticket.number()));
    }

    /** The object of {@code ticket}, which is then forgotten. */
    static <T> T take(Ticket ticket, Class<T> type) {
        Object object = OBJECTS.remove(ticket.number());
        if (object == null) {
            throw new IllegalStateException("no object for " + ticket + " in this JVM: the task ran in another one");
        }
        return type.cast(object);
    }

    /** Objects deposited and not yet taken (or broadcast and not yet destroyed). */
    static int held() {
        return OBJECTS.size();
    }

    /** A broadcast of {@code value} to tasks of this JVM: only its ticket is serialised with the tasks. */
    static <T> Broadcast<T> broadcast(T value, Class<T> type) {
        return new SameJvmBroadcast<>(deposit(value), type);
    }

    /** A Spark broadcast whose tasks read the driver's object itself. */
    private static final class SameJvmBroadcast<T> extends Broadcast<T> {
        private static final long serialVersionUID = 1L;
        private final Ticket ticket;
        private final Class<T> type;

        SameJvmBroadcast(Ticket ticket, Class<T> type) {
            // Spark's own broadcasts count up from 0; a negative id keeps the two apart in logs.
            super(-ticket.number(), ClassTag$.MODULE$.apply(type));
            this.ticket = ticket;
            this.type = type;
        }

        @Override
        public T getValue() {
            Object value = OBJECTS.get(ticket.number());
            if (value == null) {
                throw new IllegalStateException(
                        this + " is not in this JVM: it was destroyed, or the task ran elsewhere");
            }
            return type.cast(value);
        }

        @Override
        public void doUnpersist(boolean blocking) {
            // Nothing is cached apart from the one object, which the tasks still need until it is destroyed.
        }

        @Override
        public void doDestroy(boolean blocking) {
            OBJECTS.remove(ticket.number());
        }
    }
}
