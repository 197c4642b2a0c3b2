package io.mnistspark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MnistRddsTest {

    @Test
    void partitionRanges_coverEveryImageOnceOnSliceBoundaries() {
        List<int[]> ranges = MnistRdds.partitionRanges(1050, 100, 4);

        int next = 0;
        for (int[] range : ranges) {
            assertEquals(next, range[0]);
            assertEquals(0, range[0] % 100);
            next = range[0] + range[1];
        }
        assertEquals(1050, next);
        assertEquals(4, ranges.size());
    }

    @Test
    void partitionRanges_moreParttionsThanSlices_givesOneRangePerSlice() {
        assertEquals(2, MnistRdds.partitionRanges(150, 100, 8).size());
    }
}
