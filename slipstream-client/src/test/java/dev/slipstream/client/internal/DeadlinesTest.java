package dev.slipstream.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

    private static final class Item extends Deadlines.Entry {
        final String name;

        Item(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static List<String> pollAll(Deadlines<Item> d, long now) {
        List<String> out = new ArrayList<>();
        for (Item i; (i = d.pollDue(now)) != null; ) {
            out.add(i.name);
        }
        return out;
    }

    @Test
    void entriesOfOneTimeoutComeDueInTheOrderTheyWereAdded() {
        Deadlines<Item> d = new Deadlines<>();
        Item a = new Item("a");
        Item b = new Item("b");
        Item c = new Item("c");
        assertThat(d.add(a, 0, Duration.ofNanos(100))).isEqualTo(100);
        d.add(b, 10, Duration.ofNanos(100));
        d.add(c, 10, Duration.ofNanos(100));
        assertThat(d.earliest()).isEqualTo(100);
        assertThat(pollAll(d, 99)).isEmpty();
        assertThat(pollAll(d, 110)).containsExactly("a", "b", "c");
        assertThat(d.isEmpty()).isTrue();
        assertThat(d.earliest()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theEarliestDeadlineAcrossTimeoutsComesFirstAndTiesKeepTheOrderOfAdding() {
        Deadlines<Item> d = new Deadlines<>();
        d.add(new Item("long"), 0, Duration.ofNanos(1000));
        d.add(new Item("short"), 0, Duration.ofNanos(10));
        d.add(new Item("tie-first"), 0, Duration.ofNanos(500));
        d.add(new Item("tie-second"), 400, Duration.ofNanos(100));
        assertThat(d.earliest()).isEqualTo(10);
        assertThat(pollAll(d, 10)).containsExactly("short");
        assertThat(pollAll(d, 999)).containsExactly("tie-first", "tie-second");
        assertThat(pollAll(d, 1000)).containsExactly("long");
    }

    @Test
    void aRemovedEntryNeverComesDueAndCanBeRemovedTwiceHarmlessly() {
        Deadlines<Item> d = new Deadlines<>();
        Item a = new Item("a");
        Item b = new Item("b");
        Item c = new Item("c");
        d.add(a, 0, Duration.ofNanos(10));
        d.add(b, 1, Duration.ofNanos(10));
        d.add(c, 2, Duration.ofNanos(10));
        assertThat(d.remove(b)).isTrue();
        assertThat(d.remove(b)).isFalse();
        assertThat(b.isWaiting()).isFalse();
        assertThat(d.remove(a)).isTrue();
        assertThat(d.earliest()).isEqualTo(12);
        assertThat(d.size()).isEqualTo(1);
        assertThat(pollAll(d, 100)).containsExactly("c");
        d.add(b, 200, Duration.ofNanos(10)); // an entry may wait again once out
        assertThat(pollAll(d, 210)).containsExactly("b");
    }

    @Test
    void anEntryCannotWaitTwiceAtOnce() {
        Deadlines<Item> d = new Deadlines<>();
        Item a = new Item("a");
        d.add(a, 0, Duration.ofNanos(10));
        assertThatThrownBy(() -> d.add(a, 0, Duration.ofNanos(10))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTimeoutTooLongForNanosecondsNeverComesDue() {
        Deadlines<Item> d = new Deadlines<>();
        d.add(new Item("forever"), Long.MAX_VALUE - 5, Duration.ofNanos(10));
        d.add(new Item("centuries"), 0, Duration.ofDays(365L * 1000));
        assertThat(d.earliest()).isEqualTo(Long.MAX_VALUE);
        assertThat(pollAll(d, Long.MAX_VALUE)).isEmpty();
        assertThat(d.size()).isEqualTo(2);
    }

    @Test
    void manyTimeoutsAddedAndRemovedAtRandomComeDueExactlyInDeadlineOrder() {
        Random random = new Random(42);
        Deadlines<Item> d = new Deadlines<>();
        List<Item> waiting = new ArrayList<>();
        List<Item> all = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < 5000; i++) {
            now += random.nextInt(3);
            if (!waiting.isEmpty() && random.nextInt(3) == 0) {
                Item gone = waiting.remove(random.nextInt(waiting.size()));
                assertThat(d.remove(gone)).isTrue();
                continue;
            }
            Item item = new Item("i" + i);
            // 20 distinct timeouts: more than the lanes kept when empty, so lanes come and go.
            d.add(item, now, Duration.ofNanos(100 + 50 * random.nextInt(20)));
            waiting.add(item);
            all.add(item);
        }
        List<Item> order = new ArrayList<>(waiting);
        order.sort(Comparator.comparingLong(Deadlines.Entry::deadline)
                .thenComparingInt(all::indexOf));
        List<String> polled = new ArrayList<>();
        long clock = now;
        while (!d.isEmpty()) {
            clock = Math.max(clock, d.earliest());
            polled.addAll(pollAll(d, clock));
        }
        assertThat(polled).containsExactlyElementsOf(order.stream().map(i -> i.name).toList());
    }
}
