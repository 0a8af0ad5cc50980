package dev.slipstream.testing.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.protocol.Message;
import dev.slipstream.protocol.Payload;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal's bound: the oldest entries go, the count of dropped ones says so, and sequence numbers show the gap. */
class JournalTest {
    @Test
    void keepsTheNewestEntriesAndCountsTheDroppedOnes() {
        Journal journal = new Journal(3);
        for (int i = 1; i <= 5; i++) {
            journal.add("conn-1", null, Message.of("1", Integer.toString(i), "room:1", "e" + i, Payload.json("{}")),
                    Instant.now());
        }
        List<Journal.Entry> kept = journal.find(e -> true);
        assertThat(kept).extracting(e -> e.message().event()).containsExactly("e3", "e4", "e5");
        assertThat(kept).extracting(Journal.Entry::seq).containsExactly(3L, 4L, 5L);
        assertThat(journal.dropped()).isEqualTo(2);
        assertThat(journal.size()).isEqualTo(3);

        assertThat(journal.reset()).isEqualTo(3);
        assertThat(journal.dropped()).isZero();
        journal.add("conn-1", null, Message.of("1", "6", "room:1", "e6", Payload.json("{}")), Instant.now());
        assertThat(journal.find(e -> true)).extracting(Journal.Entry::seq).containsExactly(6L);
    }

    @Test
    void aCapacityMustBePositive() {
        assertThatThrownBy(() -> new Journal(0)).hasMessage("journal capacity must be positive, got 0");
    }
}
