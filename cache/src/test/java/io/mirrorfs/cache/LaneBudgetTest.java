package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LaneBudgetTest {

    @Test
    void aLoneReaderGetsEveryConnection() {
        LaneBudget budget = new LaneBudget(8);
        Object reader = new Object();
        assertEquals(4, budget.grant(reader, 4));
        assertEquals(8, budget.grant(reader, 16), "never more than the source's connections");
        assertEquals(8, budget.granted());
    }

    @Test
    void readersShareTheConnectionsAndEachKeepsOneLane() {
        LaneBudget budget = new LaneBudget(8);
        Object[] readers = new Object[8];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = new Object();
            budget.grant(readers[i], 1);
        }
        for (Object r : readers) {
            assertEquals(1, budget.grant(r, 8), "eight readers already use the eight connections: no reader grows");
        }
        assertEquals(8, budget.granted());
        Object ninth = new Object();
        assertEquals(1, budget.grant(ninth, 8), "a reader always has its own stream, even past the connections");
    }

    @Test
    void lanesGivenBackAreFreeForTheOthers() {
        LaneBudget budget = new LaneBudget(8);
        Object a = new Object();
        Object b = new Object();
        assertEquals(8, budget.grant(a, 8));
        assertEquals(1, budget.grant(b, 8), "b starts with one while a holds every connection");
        assertEquals(7, budget.grant(a, 8), "a's next grant leaves b its one");
        budget.release(b);
        assertEquals(8, budget.grant(a, 8), "b closed: its connection is a's again");
        budget.release(a);
        assertEquals(0, budget.granted());
    }
}
